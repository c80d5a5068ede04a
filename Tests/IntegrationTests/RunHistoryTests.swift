import Executor
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden history and GET /api/v1/runs: the one reader of _wh.warden_runs", .integration, .hangGuard)
struct RunHistoryTests {
    @Test("a warehouse without warden's tables has no runs, rather than an error")
    func notInstalledIsEmpty() async throws {
        try await TestCluster.withDatabase("history_none") { _, _, connection in
            let runs = try await RunHistory.recent(limit: 10, on: connection)
            #expect(runs.isEmpty)
        }
    }

    @Test("runs come newest first with their step counts, outcomes and durations, up to the limit")
    func recentRunsWithStepCounts() async throws {
        try await TestCluster.withDatabase("history") { _, _, connection in
            try await RunJournal.install(on: connection)
            let first = try await connection.scalar(
                Int64.self,
                """
                INSERT INTO _wh.warden_runs (command, revision, as_of, strategy, status, started_at, finished_at, error)
                VALUES ('apply', 'aaaa1111', '2025-03-01', 'shadow-swap', 'failed',
                        '2025-03-01 02:00:00+00', '2025-03-01 02:03:30+00', 'step 2 failed: lock timeout')
                RETURNING run_id
                """)
            for (number, outcome) in [(1, "succeeded"), (2, "failed"), (3, "pending")] {
                try await connection.execute(
                    "INSERT INTO _wh.warden_steps (run_id, step_no, phase, kind, class, sql, outcome) VALUES ($1, $2, 'prepare', 'k', 'online', 'SELECT 1', $3)",
                    [first, number, outcome])
            }
            let second = try await connection.scalar(
                Int64.self,
                "INSERT INTO _wh.warden_runs (command, revision, reason, host) VALUES ('controller', 'bbbb2222', 'drift found', 'warden-0') RETURNING run_id")
            try await connection.execute(
                "INSERT INTO _wh.warden_steps (run_id, step_no, phase, kind, class, sql, outcome) VALUES ($1, 1, 'swap', 'k', 'brief-lock', 'SELECT 1', 'running')",
                [second])

            let runs = try await RunHistory.recent(limit: 10, on: connection)
            #expect(runs.map(\.runID) == [second, first])
            let newest = runs[0]
            #expect(newest.status == "running")
            #expect(newest.finishedAt == nil)
            #expect(newest.durationSeconds == nil)
            #expect(newest.reason == "drift found")
            #expect(newest.host == "warden-0")
            #expect((newest.steps, newest.succeeded, newest.failed, newest.pending) == (1, 0, 0, 1))

            let older = runs[1]
            #expect(older.startedAt == "2025-03-01T02:00:00Z")
            #expect(older.finishedAt == "2025-03-01T02:03:30Z")
            #expect(older.durationSeconds == 210)
            #expect(older.asOf == "2025-03-01")
            #expect(older.strategy == "shadow-swap")
            #expect(older.error == "step 2 failed: lock timeout")
            #expect((older.steps, older.succeeded, older.failed, older.pending) == (3, 1, 1, 1))

            #expect(try await RunHistory.recent(limit: 1, on: connection).map(\.runID) == [second])
            #expect(try await RunHistory.recent(limit: 0, on: connection).isEmpty)

            // Every key is in the JSON, null when empty.
            let json = String(decoding: try JSONEncoder().encode(newest), as: UTF8.self)
            #expect(json.contains(#""finishedAt":null"#))
            #expect(json.contains(#""durationSeconds":null"#))
        }
    }
}
