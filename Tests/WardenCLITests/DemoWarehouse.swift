import DemoWorld
import Foundation
import PostgresClient
import TestSupport

/// What the command tests share: a small legacy demo warehouse built the seed's way on the shared
/// cluster, and a copy of `desired-state/` it is in sync with (first year 2025).
enum DemoWarehouse {
    static func build(_ label: String, asOf: PostgresDate = PostgresDate(year: 2026, month: 1, day: 5)) async throws
        -> (built: DemoWorld.Built, folder: TemporaryFolder)
    {
        let cluster = try await TestCluster.shared()
        let prefix = "\(label)_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster, DemoWorld.Configuration(asOf: asOf, firstYear: 2025, databasePrefix: prefix))
        let folder = try TemporaryFolder("warden-\(label)")
        try FileManager.default.removeItem(atPath: folder.path)
        try FileManager.default.copyItem(atPath: packageRoot + "/desired-state", toPath: folder.path)
        let warehouseYAML = folder.path + "/warehouse.yaml"
        try String(contentsOfFile: warehouseYAML, encoding: .utf8).replacing("firstYear: 2024", with: "firstYear: 2025")
            .write(toFile: warehouseYAML, atomically: true, encoding: .utf8)
        return (built, folder)
    }

    /// Seed 000's change in the desired state at `folder`: foodlogstats gains `waste_category text`,
    /// default 'UNKNOWN' for history, at the end of its columns and its query.
    static func addWasteCategory(_ folder: String) throws {
        let yamlPath = folder + "/templates/foodlogstats.yaml"
        try String(contentsOfFile: yamlPath, encoding: .utf8).replacing(
            "indexes:", with: "  - { name: waste_category, type: text, default: UNKNOWN }\nindexes:")
            .write(toFile: yamlPath, atomically: true, encoding: .utf8)
        let sqlPath = folder + "/templates/foodlogstats.sql"
        try String(contentsOfFile: sqlPath, encoding: .utf8).replacing("pf.weight\n", with: "pf.weight,\n    pf.waste_category\n")
            .write(toFile: sqlPath, atomically: true, encoding: .utf8)
    }

    /// Drops the warehouse and the tenants' source databases.
    static func drop(_ built: DemoWorld.Built) async {
        guard let cluster = try? await TestCluster.shared() else { return }
        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }
}
