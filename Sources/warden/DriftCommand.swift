import ArgumentParser
import Controller
import Drift
import PostgresClient

extension Warden {
    /// `warden drift`: what differs between git and the warehouse.
    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report drift between the desired state and the live warehouse. Exit 0 in sync, 2 drift, 1 error.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, markdown }

        @OptionGroup var source: SourceOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOptions
        @Option(help: "table (people), json (machines, stable), markdown (pull-request comments).")
        var format: Format = .table
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let logger = output.logger("warden.drift")
            let report = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try await Pipeline.withDesiredState(source.source, database: database.configuration, logger: logger) {
                    desired, connection in
                    try await Pipeline.drift(
                        desired, on: connection, asOf: try asOf.day(desired.settings), at: asOf.now)
                }
            }
            switch format {
            case .table: print(report.table(), terminator: "")
            case .json: print(report.json())
            case .markdown: print(report.markdown(), terminator: "")
            }
            if !report.inSync { throw ExitCode(2) }
        }
    }
}
