import EmbeddedPostgres
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("EmbeddedPostgres", .integration, .hangGuard)
struct EmbeddedPostgresTests {
    struct Boom: Error {}

    @Test("a cluster starts on a free port, serves databases, and is stopped and removed even when the body fails")
    func lifecycle() async throws {
        var folder = ""
        await #expect(throws: Boom.self) {
            try await EmbeddedPostgres.withCluster { cluster in
                folder = cluster.directory
                #expect(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/PG_VERSION"))
                #expect(cluster.port > 0)
                try await cluster.createDatabase("demo one")
                let connection = try await cluster.connect(database: "demo one")
                #expect(try await connection.scalar(String.self, "SELECT current_database()::text") == "demo one")
                #expect(try await connection.scalar(Int.self, "SELECT current_setting('server_version_num')::int") / 10000 == 15)
                // The server runs as the postgres OS user when we are root.
                if geteuid() == 0 {
                    let owner = try await connection.scalar(String.self, "SELECT current_setting('data_directory')")
                    #expect(owner == cluster.dataDirectory)
                }
                // TCP on 127.0.0.1 works too.
                let tcp = try await PostgresConnection.connect(ConnectionConfiguration(cluster.tcpConnectionString()))
                #expect(try await tcp.scalar(Int.self, "SELECT 1") == 1)
                await tcp.close()
                await connection.close()
                throw Boom()
            }
        }
        #expect(!folder.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("two clusters run side by side on different ports")
    func twoClusters() async throws {
        try await EmbeddedPostgres.withCluster { first in
            try await EmbeddedPostgres.withCluster { second in
                #expect(first.port != second.port)
                let a = try await first.connect()
                let b = try await second.connect()
                try await a.execute("CREATE TABLE only_in_first (x int)")
                #expect(try await b.scalar(String?.self, "SELECT to_regclass('only_in_first')::text") == nil)
                await a.close()
                await b.close()
            }
        }
    }

    @Test("a restart keeps the data and breaks open connections")
    func restart() async throws {
        try await EmbeddedPostgres.withCluster { cluster in
            let connection = try await cluster.connect()
            try await connection.execute("CREATE TABLE kept (x int)")
            try await connection.execute("INSERT INTO kept VALUES (7)")
            try await connection.execute("CHECKPOINT")
            try await cluster.restart()
            let error = try await #require(throws: PostgresError.self) { try await connection.query("SELECT 1") }
            #expect(error.code == .connectionLost, "\(error)")
            let again = try await cluster.connect()
            #expect(try await again.scalar(Int.self, "SELECT x FROM kept") == 7)
            await again.close()
        }
    }

    @Test("a cluster abandoned by a killed process is swept away by the next start")
    func sweepsAbandonedClusters() async throws {
        let parent = NSTemporaryDirectory() + "/warden-sweep-\(getpid())"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        chmod(parent, 0o777)
        let abandoned = try await EmbeddedPostgres.start(parent: parent)
        // Pretend its owner died: a pid that cannot exist.
        try "2147483646\n".write(toFile: abandoned.directory + "/owner.pid", atomically: true, encoding: .utf8)
        let port = abandoned.port
        let survivor = try await EmbeddedPostgres.start(parent: parent)
        #expect(!FileManager.default.fileExists(atPath: abandoned.directory))
        await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(ConnectionConfiguration("host=127.0.0.1 port=\(port) user=postgres connect_timeout=2"))
        }
        survivor.stop()
        abandoned.stop()
    }
}
