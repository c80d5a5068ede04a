import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden apply: bootstrap and tenant removal", .integration, .hangGuard)
struct BootstrapCommandTests {
    @Test("an empty warehouse is built whole from the desired state; removing a tenant needs --allow-destructive")
    func bootstrapThenRemoveTenant() async throws {
        let cluster = try await TestCluster.shared()
        let prefix = "boot_\(UUID().uuidString.prefix(6).lowercased())_"
        let configuration = DemoWorld.Configuration(
            asOf: PostgresDate(year: 2026, month: 1, day: 3), firstYear: 2025,
            tenants: DemoWorld.demoTenants.filter { $0.schema != "bistro" }, databasePrefix: prefix)
        _ = try await DemoWorld.buildSources(on: cluster, configuration)
        let dsn = try await DemoWorld.emptyWarehouse(
            on: cluster, database: configuration.warehouseDatabase, configuration, roles: ["analysts", "landb_readers"])
        let folder = try TemporaryFolder("warden-bootstrap")
        try FileManager.default.removeItem(atPath: folder.path)
        try FileManager.default.copyItem(atPath: packageRoot + "/desired-state", toPath: folder.path)
        let yaml = folder.path + "/warehouse.yaml"
        func desire(removing tenants: [String]) throws {
            var text = try String(contentsOfFile: yaml, encoding: .utf8).replacing("firstYear: 2024", with: "firstYear: 2025")
            // No maintenance windows: every step may run whenever the test runs.
            if let windows = text.range(of: "windows:"), let policy = text.range(of: "policy:") {
                text.removeSubrange(windows.lowerBound..<policy.lowerBound)
            }
            for tenant in tenants {
                text = text.replacing("  - schema: \(tenant)\n    connection: \(tenant)-prod\n", with: "")
            }
            try text.write(toFile: yaml, atomically: true, encoding: .utf8)
        }
        let base = ["--dir", folder.path, "--database", dsn, "--as-of", "2026-01-03"]
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(dsn))

        try desire(removing: ["bistro"])
        let before = try await Subprocess.run([binary, "drift"] + base)
        #expect(before.status == 2, "\(before.standardOutput)\(before.standardError)")
        let apply = try await Subprocess.run([binary, "apply", "--yes"] + base)
        #expect(apply.status == 0, "\(apply.standardOutput)\n\(apply.standardError)")
        #expect(apply.standardOutput.contains("applied: run"), "\(apply.standardOutput)")
        #expect(!apply.standardError.contains("not planned yet"), "\(apply.standardError)")
        let drift = try await Subprocess.run([binary, "drift"] + base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        for template in DemoWorld.templates {
            let tenants = try await warehouse.query("SELECT DISTINCT tenant FROM public.\(template) ORDER BY 1")
            #expect(try tenants.rows.map { try $0.decode(String.self, at: 0) } == ["acme", "landb"], "\(template)")
        }
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.mv_templates") == 2)
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('landb_readers', 'landb.foodlogstats', 'SELECT')"))

        // acme leaves git: the plan drops its history, so apply refuses without the flag.
        try desire(removing: ["bistro", "acme"])
        let refused = try await Subprocess.run([binary, "apply", "--yes"] + base)
        #expect(refused.status == 3, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains("refusing to apply: tenant.unexpected acme"), "\(refused.standardError)")
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'acme'") == 2)
        let removed = try await Subprocess.run([binary, "apply", "--yes", "--allow-destructive"] + base)
        #expect(removed.status == 0, "\(removed.standardOutput)\n\(removed.standardError)")
        #expect(try await Subprocess.run([binary, "drift"] + base).status == 0)
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM pg_namespace WHERE nspname = 'acme'") == 0)
        #expect(try await warehouse.scalar(Int.self, "SELECT count(DISTINCT tenant)::int FROM public.foodlogstats") == 1)

        await warehouse.close()
        folder.remove()
        for database in [configuration.warehouseDatabase] + configuration.tenants.map(configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }
}
