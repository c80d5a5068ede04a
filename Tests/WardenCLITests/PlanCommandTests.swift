import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden plan", .integration, .hangGuard)
struct PlanCommandTests {
    @Test("seed 000's added column plans shadows, a swap with ADD COLUMN … DEFAULT, and cleanup; nothing is changed")
    func addColumnPlan() async throws {
        let cluster = try await TestCluster.shared()
        let prefix = "plan_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster, DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 5), firstYear: 2025, databasePrefix: prefix))
        let dsn = built.warehouseConnectionString
        let binary = WardenCLITests.binary
        let base = ["--database", dsn, "--as-of", "2026-01-05"]

        // The demo desired state, first year 2025 as this small warehouse: nothing to do.
        let folder = try TemporaryFolder("warden-plan")
        defer { folder.remove() }
        try FileManager.default.removeItem(atPath: folder.path)
        try FileManager.default.copyItem(atPath: packageRoot + "/desired-state", toPath: folder.path)
        let warehouseYAML = folder.path + "/warehouse.yaml"
        try String(contentsOfFile: warehouseYAML, encoding: .utf8).replacing("firstYear: 2024", with: "firstYear: 2025")
            .write(toFile: warehouseYAML, atomically: true, encoding: .utf8)
        let empty = try await Subprocess.run([binary, "plan", "--dir", folder.path] + base)
        #expect(empty.status == 0, "\(empty.standardOutput)\(empty.standardError)")

        // A tenant in git whose foreign server does not exist: nothing can be planned for it, and the
        // plan says so and exits 2 (a CI gate on it must not pass over drift nothing will fix).
        let settings = try String(contentsOfFile: warehouseYAML, encoding: .utf8)
        try settings.replacing("grants:", with: "  - schema: west\n    connection: west-prod\ngrants:")
            .write(toFile: warehouseYAML, atomically: true, encoding: .utf8)
        let unplannable = try await Subprocess.run([binary, "plan", "--dir", folder.path] + base)
        #expect(unplannable.status == 2, "\(unplannable.standardOutput)\(unplannable.standardError)")
        #expect(unplannable.standardOutput.contains("nothing to do now, but 2 drift items cannot be planned yet"),
                "\(unplannable.standardOutput)")
        #expect(unplannable.standardOutput.contains("west-prod does not exist"), "\(unplannable.standardOutput)")
        #expect(unplannable.standardError.contains("warden: 2 drift items cannot be planned yet (connection.missing west-prod, tenant.missing west)"),
                "\(unplannable.standardError)")
        let unplannableJSON = try await Subprocess.run([binary, "plan", "--dir", folder.path, "--format", "json"] + base)
        #expect(unplannableJSON.status == 2)
        let unplannableDecoded = try #require(
            try JSONSerialization.jsonObject(with: Data(unplannableJSON.standardOutput.utf8)) as? [String: Any])
        #expect(unplannableDecoded["unplanned"] as? [String] == ["connection.missing west-prod", "tenant.missing west"])
        try settings.write(toFile: warehouseYAML, atomically: true, encoding: .utf8)

        // Seed 000's change: waste_category, default 'UNKNOWN' for history.
        try DemoWarehouse.addWasteCategory(folder.path)

        let summary = try await Subprocess.run([binary, "plan", "--dir", folder.path, "--at", "2026-01-05T12:00:00Z"] + base)
        #expect(summary.status == 2, "\(summary.standardError)")
        #expect(!summary.standardOutput.contains("ADD COLUMN"), "\(summary.standardOutput)")
        #expect(summary.standardOutput.contains(" × build shadow daily view · foodlogstats · "), "\(summary.standardOutput)")
        let text = try await Subprocess.run([binary, "plan", "--dir", folder.path, "--sql", "--at", "2026-01-05T12:00:00Z"] + base)
        #expect(text.status == 2, "\(text.standardError)")
        #expect(text.standardOutput.hasPrefix(summary.standardOutput.components(separatedBy: "\n(each step")[0]))
        #expect(text.standardOutput.contains("ADD COLUMN waste_category text DEFAULT 'UNKNOWN'"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("__shadow"))
        #expect(text.standardOutput.lowercased().contains("prepare"))
        #expect(text.standardOutput.lowercased().contains("cleanup"))

        let json = try await Subprocess.run([binary, "plan", "--dir", folder.path, "--format", "json"] + base)
        #expect(json.status == 2)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let steps = try #require(decoded["steps"] as? [[String: Any]])
        // 4 days × 3 tenants of shadows, and nothing for storedaily, which did not change.
        #expect(steps.filter { ($0["kind"] as? String) == "buildShadowDailyView" }.count == 12, "\(steps.map { $0["kind"] ?? "" })")
        #expect(!steps.contains { ($0["template"] as? String) == "storedaily" })

        let out = try TemporaryFolder("warden-plan-out")
        defer { out.remove() }
        let sql = try await Subprocess.run([binary, "plan", "--dir", folder.path, "--format", "sql", "--out", out.path] + base)
        #expect(sql.status == 2)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.count == 1)
        let name = try #require(files.first)
        #expect(name.range(of: #"^\d{8}_\d{6}_[a-z0-9_]+\.sql$"#, options: .regularExpression) != nil, "\(name)")
        let migration = try String(contentsOfFile: out.path + "/" + name, encoding: .utf8)
        #expect(migration.contains("UP MIGRATION"))
        #expect(migration.contains("DOWN MIGRATION"))

        // Planning changed nothing: the drift is still there.
        let drift = try await Subprocess.run([binary, "drift", "--dir", folder.path] + base)
        #expect(drift.status == 2)
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(dsn))
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_\\_shadow'") == 0)
        await warehouse.close()

        // The migration file is the same work as plain SQL: psql runs its UP section (DOWN is a comment),
        // one tenant's dblink connection at a time, and the warehouse converges.
        #expect(migration.contains("SELECT dblink_connect('landb-prod', 'landb-prod') WHERE NOT"))
        let psql = try await Subprocess.run([
            cluster.binDirectory + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", out.path + "/" + name,
        ])
        #expect(psql.status == 0, "\(psql.standardError)")
        let after = try await Subprocess.run([binary, "drift", "--dir", folder.path] + base)
        #expect(after.status == 0, "\(after.standardOutput)")
        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }
}
