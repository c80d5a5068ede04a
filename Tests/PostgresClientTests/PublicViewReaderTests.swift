import Foundation
import PostgresClient
import TestSupport
import Testing

/// The reader the apply tests use to show "no wait over 1 s": it must fail on a longer lock wait, or
/// those tests could not fail.
@Suite("PublicViewReader's lock-wait bound", .integration, .hangGuard)
struct PublicViewReaderTests {
    /// Holds an ACCESS EXCLUSIVE lock on `t` for `hold` while a reader with a 1 s lock_timeout queries it.
    static func readWhileLocked(hold: Duration) async throws -> PublicViewReader.Figures {
        try await TestCluster.withDatabase("reader") { cluster, name, connection in
            try await connection.execute("CREATE TABLE t (id int)")
            try await connection.execute("INSERT INTO t SELECT generate_series(1, 10)")
            let reader = try await PublicViewReader.start(
                cluster.connectionString(database: name), sql: "SELECT count(*) FROM t", lockTimeout: .seconds(1))
            await reader.waitForQueries()
            try await connection.withTransaction { transaction in
                try await transaction.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
                try await Task.sleep(for: hold)
            }
            await reader.waitForQueries(2)
            return await reader.stop()
        }
    }

    @Test("a lock held 2.5 s fails the reader's waiting query; one held 0.2 s only delays it")
    func boundsTheLockWait() async throws {
        let long = try await Self.readWhileLocked(hold: .milliseconds(2500))
        #expect(long.errors.contains { $0.contains("lock timeout") }, "\(long.errors)")
        let short = try await Self.readWhileLocked(hold: .milliseconds(200))
        #expect(short.errors.isEmpty, "\(short.errors)")
        #expect(short.queries > 2)
    }
}
