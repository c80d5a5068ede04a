import Foundation
import PostgresClient
import TestSupport
import Testing

/// The `warden` executable, run as a user runs it.
@Suite("warden command line", .integration, .hangGuard)
struct WardenCLITests {
    /// The `warden` binary built beside the test bundle.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("warden")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/warden").path
    }

    @Test("--version and --help work")
    func versionAndHelp() async throws {
        let version = try await Subprocess.run([Self.binary, "--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try await Subprocess.run([Self.binary, "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("GitOps reconciler"))
        #expect(help.standardOutput.contains("init"))
        #expect(help.standardOutput.contains("demo"))
    }

    @Test("warden init creates warden's tables, then says there is nothing to do")
    func initIsIdempotent() async throws {
        let cluster = try await TestCluster.shared()
        let database = try await TestCluster.newDatabase("cli_init")
        let dsn = cluster.connectionString(database: database)
        let first = try await Subprocess.run([Self.binary, "init", "--database", dsn])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("created _wh.warden_meta, _wh.warden_runs, _wh.warden_steps, _wh.warden_applied"))
        let second = try await Subprocess.run([Self.binary, "init", "--database", dsn])
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("already installed"))

        // Without --database, WARDEN_DATABASE_URL is used.
        var environment = ProcessInfo.processInfo.environment
        environment["WARDEN_DATABASE_URL"] = dsn
        let fromEnvironment = try await Subprocess.run([Self.binary, "init"], environment: environment)
        #expect(fromEnvironment.status == 0)
        #expect(fromEnvironment.standardOutput.contains("already installed"))
        try await cluster.dropDatabase(database)
    }

    @Test("an unreachable database is one clear line on stderr, exit 1, and no password")
    func unreachableDatabase() async throws {
        let outcome = try await Subprocess.run([
            Self.binary, "init", "--database", "postgresql://warden:TopSecret42@127.0.0.1:1/wh?connect_timeout=2",
        ])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.hasPrefix("warden: cannot connect to PostgreSQL at warden@127.0.0.1:1/wh"))
        #expect(!outcome.standardError.contains("TopSecret42"))
        #expect(!outcome.standardOutput.contains("TopSecret42"))
    }
}
