import ArgumentParser
import Executor
import Foundation
import PostgresClient

extension Warden {
    /// `warden history`: the last runs recorded in `_wh.warden_runs`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the last runs from _wh.warden_runs with their step counts and outcomes.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many runs to show, newest first.")
        var limit: Int = 20
        @Option(help: "table (people) or json (machines).")
        var format: Format = .table
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let logger = output.logger("warden.history")
            let runs: [RunRecord] = try await reportingErrors(verbose: output.verbose) {
                let connection = try await PostgresConnection.connect(database.configuration, logger: logger)
                defer { Task { await connection.close() } }
                return try await RunHistory.recent(limit: max(0, limit), on: connection)
            }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(["runs": runs]), as: UTF8.self))
            case .table:
                guard !runs.isEmpty else {
                    print("no runs recorded")
                    return
                }
                var rows = [["RUN", "STARTED", "STATUS", "STEPS", "OK", "FAILED", "PENDING", "DURATION", "REVISION", "COMMAND"]]
                for run in runs {
                    rows.append([
                        String(run.runID), run.startedAt, run.status, String(run.steps), String(run.succeeded),
                        String(run.failed), String(run.pending), run.durationSeconds.map { String(format: "%.1fs", $0) } ?? "-",
                        run.revision.map { String($0.prefix(12)) } ?? "-", run.command,
                    ])
                }
                let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    print(row.enumerated().map { index, cell in
                        index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    }.joined(separator: "  "))
                }
                for run in runs where run.error != nil || run.supersededBy != nil {
                    let superseded = run.supersededBy.map { "superseded by run \($0)" }
                    print("run \(run.runID): " + [superseded, run.error].compactMap { $0 }.joined(separator: "; it was "))
                }
            }
        }
    }
}
