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

        struct Run: Codable {
            var runID: Int64
            var startedAt: String
            var finishedAt: String?
            var command: String
            var revision: String?
            var asOf: String?
            var status: String
            var reason: String?
            var actor: String
            var error: String?
            var steps: Int
            var succeeded: Int
            var failed: Int
            var pending: Int
            var durationSeconds: Double?
        }

        func run() async throws {
            let logger = output.logger("warden.history")
            let runs: [Run] = try await reportingErrors(verbose: output.verbose) {
                let connection = try await PostgresConnection.connect(database.configuration, logger: logger)
                defer { Task { await connection.close() } }
                let installed = try await connection.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NOT NULL")
                guard installed else { return [] }
                let result = try await connection.query(
                    """
                    SELECT r.run_id, to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started,
                           to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished,
                           r.command, r.revision, r.as_of::text AS as_of, r.status, r.reason, r.actor, r.error,
                           extract(epoch FROM r.finished_at - r.started_at)::double precision AS seconds,
                           count(s.step_no)::bigint AS steps,
                           count(s.step_no) FILTER (WHERE s.outcome = 'succeeded')::bigint AS succeeded,
                           count(s.step_no) FILTER (WHERE s.outcome = 'failed')::bigint AS failed,
                           count(s.step_no) FILTER (WHERE s.outcome IN ('pending', 'running'))::bigint AS pending
                    FROM _wh.warden_runs r LEFT JOIN _wh.warden_steps s ON s.run_id = r.run_id
                    GROUP BY r.run_id ORDER BY r.run_id DESC LIMIT $1
                    """, [max(0, limit)])
                return try result.rows.map { row in
                    Run(
                        runID: try row.decode(Int64.self, "run_id"), startedAt: try row.decode(String.self, "started"),
                        finishedAt: try row.decode(String?.self, "finished"), command: try row.decode(String.self, "command"),
                        revision: try row.decode(String?.self, "revision"), asOf: try row.decode(String?.self, "as_of"),
                        status: try row.decode(String.self, "status"), reason: try row.decode(String?.self, "reason"),
                        actor: try row.decode(String.self, "actor"), error: try row.decode(String?.self, "error"),
                        steps: Int(try row.decode(Int64.self, "steps")), succeeded: Int(try row.decode(Int64.self, "succeeded")),
                        failed: Int(try row.decode(Int64.self, "failed")), pending: Int(try row.decode(Int64.self, "pending")),
                        durationSeconds: try row.decode(Double?.self, "seconds"))
                }
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
                for run in runs where run.error != nil { print("run \(run.runID): \(run.error!)") }
            }
        }
    }
}
