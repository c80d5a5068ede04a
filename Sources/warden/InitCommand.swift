import ArgumentParser
import Executor
import PostgresClient

extension Warden {
    /// `warden init`: create warden's tables in `_wh`.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create warden's own tables in _wh (warden_runs, warden_steps, warden_applied). Idempotent.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let logger = output.logger("warden.init")
            try await reportingErrors(verbose: output.verbose) {
                let connection = try await PostgresConnection.connect(database.configuration, logger: logger)
                let report = try await RunJournal.install(on: connection)
                await connection.close()
                if report.wasInstalled {
                    print("warden's tables in _wh are already installed on \(connection.target); nothing to do.")
                } else {
                    print("created \(report.created.joined(separator: ", ")) on \(connection.target)")
                }
            }
        }
    }
}
