import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

/// `warden validate`, `drift` and `adopt` on the legacy example warehouse, through the real executable,
/// a real git repository and a real PostgreSQL.
@Suite("warden drift on the legacy warehouse", .integration, .hangGuard)
struct DriftCommandTests {
    static let asOf = "2026-03-15"

    struct Item: Decodable, Hashable {
        var kind: String
        var object: String
    }

    struct Report: Decodable {
        var version: Int
        var revision: String?
        var asOf: String
        var items: [Item]
    }

    static func decode(_ json: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }

    @Test("in sync with desired-state/ and with what adopt writes; out-of-band changes are exactly those objects")
    func legacyWarehouse() async throws {
        let cluster = try await TestCluster.shared()
        let prefix = "drift_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(on: cluster, DemoWorld.Configuration(databasePrefix: prefix))
        let dsn = built.warehouseConnectionString
        let repository = try await GitRepositoryFixture()
        defer { repository.remove() }
        try repository.copy(folder: packageRoot + "/desired-state", to: "desired-state")
        let commit = try await repository.commitAll("the demo warehouse")
        // Uncommitted edits in the work tree are ignored: git is the source of truth.
        try repository.write("this is not yaml: [", to: "desired-state/warehouse.yaml")

        let binary = WardenCLITests.binary
        let validate = try await Subprocess.run([binary, "validate", "--repo", repository.path])
        #expect(validate.status == 0, "\(validate.standardError)")

        let inSync = try await Subprocess.run([
            binary, "drift", "--repo", repository.path, "--database", dsn, "--as-of", Self.asOf, "--format", "json",
        ])
        #expect(inSync.status == 0, "\(inSync.standardOutput)\(inSync.standardError)")
        let syncReport = try Self.decode(inSync.standardOutput)
        #expect(syncReport.items.isEmpty)
        #expect(syncReport.revision == commit)
        #expect(syncReport.asOf == Self.asOf)

        // adopt writes a desired state the warehouse is in sync with.
        let adopted = try TemporaryFolder("warden-adopt")
        defer { adopted.remove() }
        let adopt = try await Subprocess.run([binary, "adopt", "--database", dsn, "--out", adopted.path, "--as-of", Self.asOf])
        #expect(adopt.status == 0, "\(adopt.standardError)")
        let adoptedDrift = try await Subprocess.run([
            binary, "drift", "--dir", adopted.path, "--database", dsn, "--as-of", Self.asOf, "--format", "json",
        ])
        #expect(adoptedDrift.status == 0, "\(adoptedDrift.standardOutput)\(adoptedDrift.standardError)")

        // Out-of-band changes with plain SQL, as someone with psql would make them.
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(dsn))
        defer { Task { await warehouse.close() } }
        try await warehouse.execute("ALTER TABLE acme.foodlogstats_2025 ADD COLUMN note text")
        let index = try await warehouse.scalar(
            String.self,
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'landb' AND tablename = 'foodlogstats_2026_03_10' AND indexdef LIKE '%(store)'")
        try await warehouse.execute("DROP INDEX landb.\(index)")
        // One day's view removed, and from its union view (the seed's functions rebuild the views).
        try await warehouse.executeScript(
            """
            BEGIN;
            DROP VIEW public.storedaily; DROP VIEW bistro.storedaily;
            DROP MATERIALIZED VIEW bistro.storedaily_2026_02_01;
            SELECT _wh.update_tenant_union_view_by_template('storedaily', 'bistro');
            SELECT _wh.update_public_view_by_template('storedaily');
            GRANT SELECT ON public.storedaily TO analysts;
            COMMIT;
            """)
        // One daily view rebuilt with a different query.
        try await warehouse.executeScript(
            """
            BEGIN;
            DROP VIEW public.foodlogstats; DROP VIEW landb.foodlogstats;
            UPDATE _wh.mv_templates SET query_template = query_template || ' AND pf.flags IS NOT NULL' WHERE template_name = 'foodlogstats';
            SELECT _wh.update_mv_window_by_template('foodlogstats', 'landb-prod', 'landb', '2026-03-02', '2026-03-02');
            UPDATE _wh.mv_templates SET query_template = left(query_template, length(query_template) - length(' AND pf.flags IS NOT NULL')) WHERE template_name = 'foodlogstats';
            SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'landb');
            SELECT _wh.update_public_view_by_template('foodlogstats');
            GRANT SELECT ON public.foodlogstats TO analysts;
            GRANT SELECT ON landb.foodlogstats TO landb_readers;
            COMMIT;
            """)
        // A grant revoked on the public view.
        try await warehouse.execute("REVOKE SELECT ON public.foodlogstats FROM analysts")

        let drifted = try await Subprocess.run([
            binary, "drift", "--repo", repository.path, "--database", dsn, "--as-of", Self.asOf, "--format", "json",
        ])
        #expect(drifted.status == 2, "\(drifted.standardError)")
        let report = try Self.decode(drifted.standardOutput)
        #expect(Set(report.items) == [
            Item(kind: "yearly.columns", object: "acme.foodlogstats_2025"),
            Item(kind: "grant.missing", object: "public.foodlogstats"),
            Item(kind: "template.index.added", object: "landb.foodlogstats_2026_03_10"),
            Item(kind: "day.missing", object: "bistro.storedaily_2026_02_01"),
            Item(kind: "day.stale", object: "landb.foodlogstats_2026_03_02"),
        ], "\(drifted.standardOutput)")
        #expect(report.items.count == 5)

        // The same report for people and for pull requests.
        let table = try await Subprocess.run([binary, "drift", "--repo", repository.path, "--database", dsn, "--as-of", Self.asOf])
        #expect(table.status == 2)
        #expect(table.standardOutput.contains("5 items"))
        let markdown = try await Subprocess.run([
            binary, "drift", "--repo", repository.path, "--database", dsn, "--as-of", Self.asOf, "--format", "markdown",
        ])
        #expect(markdown.standardOutput.contains("| day.missing | storedaily | bistro | bistro.storedaily_2026_02_01 |"))

        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }
}
