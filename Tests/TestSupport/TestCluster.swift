import EmbeddedPostgres
import Foundation
import PostgresClient
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the tests of one `swift test` process share, started on first use.
///
/// Each test takes a database of its own (``withDatabase(_:)``), so tests run in parallel without seeing
/// each other. The cluster stops when the process exits; if the process is killed instead, the next
/// `EmbeddedPostgres.start` sweeps it away.
public enum TestCluster {
    private actor Starter {
        var task: Task<EmbeddedPostgres, any Error>?
        func cluster() async throws -> EmbeddedPostgres {
            if let task { return try await task.value }
            // Every test suite runs in parallel on this one cluster, each opening an admin connection, its
            // warehouse's, its readers' and the executor's (with their dblink connections to the tenants'
            // databases on the same cluster): at peak about 160 of the embedded default of 200, measured,
            // and once over it ("too many clients"). Room for twice as many.
            let task = Task { try await EmbeddedPostgres.start(settings: ["max_connections": "400"]) }
            self.task = task
            let cluster = try await task.value
            registerForExit(cluster)
            return cluster
        }
    }
    private static let starter = Starter()

    /// The shared cluster.
    public static func shared() async throws -> EmbeddedPostgres {
        try await starter.cluster()
    }

    /// A new, empty database on the shared cluster, named after `prefix` plus a random suffix.
    public static func newDatabase(_ prefix: String = "t") async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await shared().createDatabase(name)
        return name
    }

    /// Runs `body` with a new database and a connection to it; drops the database afterwards.
    public static func withDatabase<T>(
        _ prefix: String = "t", _ body: (EmbeddedPostgres, String, PostgresConnection) async throws -> T
    ) async throws -> T {
        let cluster = try await shared()
        let name = try await newDatabase(prefix)
        let connection = try await cluster.connect(database: name)
        do {
            let value = try await body(cluster, name, connection)
            await connection.close()
            try? await cluster.dropDatabase(name)
            return value
        } catch {
            await connection.close()
            try? await cluster.dropDatabase(name)
            throw error
        }
    }
}

private let clusterAtExit = Mutex<EmbeddedPostgres?>(nil)

private func registerForExit(_ cluster: EmbeddedPostgres) {
    clusterAtExit.withLock { $0 = cluster }
    atexit {
        clusterAtExit.withLock { cluster in
            cluster?.stop()
            cluster = nil
        }
    }
}
