import DemoWorld
import Foundation
import PostgresClient
import TestSupport

/// Tenants' sources that answer slowly: each tenant database's `phood_location` becomes a view that
/// first sleeps `seconds` (once per query), while its `warden_test_slow.slow` flag is on. A daily view's
/// build then waits in dblink for as long as the test wants, as a build on a big or busy source does.
struct SlowSource {
    let built: DemoWorld.Built

    var databases: [String] { built.configuration.tenants.map(built.configuration.sourceDatabase) }

    static func install(_ built: DemoWorld.Built, seconds: Int) async throws -> SlowSource {
        let cluster = try await TestCluster.shared()
        let source = SlowSource(built: built)
        for database in source.databases {
            let connection = try await cluster.connect(database: database)
            try await connection.execute("CREATE TABLE warden_test_slow (slow boolean NOT NULL)")
            try await connection.execute("INSERT INTO warden_test_slow VALUES (true)")
            try await connection.execute("ALTER TABLE phood_location RENAME TO phood_location_data")
            try await connection.execute(
                """
                CREATE VIEW phood_location AS
                WITH pause AS MATERIALIZED (
                    SELECT pg_sleep(CASE WHEN (SELECT bool_or(slow) FROM warden_test_slow) THEN \(seconds) ELSE 0 END))
                SELECT d.* FROM phood_location_data d, pause
                """)
            await connection.close()
        }
        return source
    }

    /// Turns the sleep on or off for the queries that start from now on.
    func setSlow(_ slow: Bool) async throws {
        let cluster = try await TestCluster.shared()
        for database in databases {
            let connection = try await cluster.connect(database: database)
            try await connection.execute("UPDATE warden_test_slow SET slow = \(slow)")
            await connection.close()
        }
    }

    /// The `application_name` of every session sleeping in a tenant's source right now.
    func sleepers() async throws -> [String] {
        let cluster = try await TestCluster.shared()
        var names: [String] = []
        for database in databases {
            let connection = try await cluster.connect(database: database)
            let rows = try await connection.query(
                """
                SELECT application_name FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()
                """)
            names += try rows.rows.map { try $0.decode(String.self, at: 0) }
            await connection.close()
        }
        return names
    }

    /// Cancels whatever still sleeps there (the test's own cleanup, whatever happened).
    func wakeEveryone() async {
        guard let cluster = try? await TestCluster.shared() else { return }
        for database in databases {
            guard let connection = try? await cluster.connect(database: database) else { continue }
            _ = try? await connection.query(
                """
                SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()
                """)
            await connection.close()
        }
    }
}
