import Executor
import PostgresClient
import TestSupport
import Testing

@Suite("warden init: warden's tables in _wh", .integration, .hangGuard)
struct RunJournalTests {
    @Test("creates warden_runs, warden_steps and warden_applied once, and is idempotent even when run concurrently")
    func installIsIdempotent() async throws {
        try await TestCluster.withDatabase("init") { cluster, name, connection in
            // A legacy warehouse already has _wh (the registry); init must live beside it.
            try await connection.execute("CREATE SCHEMA _wh")
            try await connection.execute("CREATE TABLE _wh.mv_templates (template_name text PRIMARY KEY)")

            let other = try await cluster.connect(database: name)
            defer { Task { await other.close() } }
            async let first = RunJournal.install(on: connection)
            async let second = RunJournal.install(on: other)
            let reports = try await [first, second]
            // Exactly one of the two created the tables; the other found them.
            #expect(reports.filter { !$0.wasInstalled }.count == 1)
            #expect(reports.flatMap(\.created).sorted()
                == ["_wh.warden_applied", "_wh.warden_meta", "_wh.warden_runs", "_wh.warden_steps"])

            let again = try await RunJournal.install(on: connection)
            #expect(again.wasInstalled)

            let tables = try await connection.query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = '_wh' ORDER BY 1"
            ).map { try $0.decode(String.self, at: 0) }
            #expect(tables == ["mv_templates", "warden_applied", "warden_meta", "warden_runs", "warden_steps"])
            #expect(try await connection.scalar(String.self, "SELECT value FROM _wh.warden_meta WHERE key = 'schema_version'") == "2")

            // The run record takes what the executor will write.
            let run = try await connection.scalar(
                Int64.self, "INSERT INTO _wh.warden_runs (command, revision) VALUES ('apply', $1) RETURNING run_id",
                ["0123abcd"])
            try await connection.execute(
                "INSERT INTO _wh.warden_steps (run_id, step_no, phase, kind, class, sql) VALUES ($1, 1, 'prepare', 'build-daily-view', 'online', 'SELECT 1')",
                [run])
            let bad = try await #require(throws: PostgresError.self) {
                try await connection.execute(
                    "INSERT INTO _wh.warden_steps (run_id, step_no, phase, kind, class, sql) VALUES ($1, 2, 'swap', 'x', 'reckless', '')",
                    [run])
            }
            #expect(bad.sqlState == "23514")
        }
    }
}
