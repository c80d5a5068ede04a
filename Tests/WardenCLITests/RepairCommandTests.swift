import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden repair", .integration, .hangGuard)
struct RepairCommandTests {
    /// A small legacy warehouse built the seed's way, and the demo desired state it is in sync with.
    struct World {
        var built: DemoWorld.Built
        var folder: TemporaryFolder
        var dsn: String { built.warehouseConnectionString }
        var base: [String] { ["--dir", folder.path, "--database", dsn, "--as-of", "2026-01-05"] }

        static func make(_ label: String) async throws -> World {
            let (built, folder) = try await DemoWarehouse.build(label)
            return World(built: built, folder: folder)
        }

        func tearDown() async {
            folder.remove()
            await DemoWarehouse.drop(built)
        }
    }

    /// Rows per tenant of a public view.
    static func rowsPerTenant(_ connection: PostgresConnection, _ view: String = "public.foodlogstats") async throws -> [String: Int64] {
        let result = try await connection.query("SELECT tenant, count(*)::bigint FROM \(view) GROUP BY tenant")
        var rows: [String: Int64] = [:]
        for row in result.rows { rows[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1) }
        return rows
    }

    static func exists(_ connection: PostgresConnection, _ view: String) async throws -> Bool {
        try await connection.scalar(Bool.self, "SELECT to_regclass($1) IS NOT NULL", [view])
    }

    /// `warden drift --format json`'s items about views and grants.
    static func viewDrift(_ world: World) async throws -> [String] {
        let drift = try await Subprocess.run([WardenCLITests.binary, "drift", "--format", "json"] + world.base)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(drift.standardOutput.utf8)) as? [String: Any], "\(drift.standardError)")
        let items = try #require(root["items"] as? [[String: Any]])
        return items.compactMap { item in
            let kind = item["kind"] as? String ?? ""
            guard kind.hasPrefix("view.") || kind.hasPrefix("grant.") || kind == "owner" else { return nil }
            return "\(kind) \(item["object"] as? String ?? "")"
        }
    }

    @Test("a dropped public view comes back over every tenant view, with its grant and stamp; the lock, a dry run and a second run are honest")
    func publicViewDropped() async throws {
        let world = try await World.make("repair_public")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        #expect(try await Self.viewDrift(world).isEmpty)
        let before = try await Self.rowsPerTenant(warehouse)
        #expect(before.keys.sorted() == ["acme", "bistro", "landb"])
        let storedaily = try await warehouse.scalar(Int64.self, "SELECT 'public.storedaily'::regclass::oid::bigint")

        try await warehouse.execute("DROP VIEW public.foodlogstats")
        #expect(try await Self.viewDrift(world) == ["view.public public.foodlogstats"])

        // Another warden holds the apply lock: refused, exit 3, naming it; nothing changes.
        let holder = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "other-warden-9"))
        _ = try await holder.query("SELECT pg_advisory_lock($1::bigint)", [PostgresConnection.advisoryLockKey("warden.apply")])
        let locked = try await Subprocess.run([binary, "repair", "public-view", "foodlogstats"] + world.base)
        #expect(locked.status == 3, "\(locked.standardOutput)\(locked.standardError)")
        #expect(locked.standardError.contains("another warden is applying"), "\(locked.standardError)")
        #expect(locked.standardError.contains("other-warden-9"), "\(locked.standardError)")
        #expect(try await !Self.exists(warehouse, "public.foodlogstats"))
        await holder.close()

        // A dry run prints the transaction and changes nothing.
        let dry = try await Subprocess.run([binary, "repair", "public-view", "foodlogstats", "--dry-run"] + world.base)
        #expect(dry.status == 2, "\(dry.standardOutput)\(dry.standardError)")
        #expect(dry.standardOutput.contains("BEGIN;\nCREATE OR REPLACE VIEW public.foodlogstats AS\n"), "\(dry.standardOutput)")
        #expect(dry.standardOutput.contains("GRANT SELECT ON public.foodlogstats TO analysts;"), "\(dry.standardOutput)")
        #expect(try await !Self.exists(warehouse, "public.foodlogstats"))

        let repair = try await Subprocess.run(
            [binary, "repair", "public-view", "foodlogstats", "--reason", "INC-7: public view dropped by hand"] + world.base)
        #expect(repair.status == 0, "\(repair.standardOutput)\(repair.standardError)")
        #expect(repair.standardOutput.contains(
            "repaired public.foodlogstats: created over 3 tenant views (acme, bistro, landb), 7 columns; "
                + "SELECT granted to analysts (it was missing)"),
            "\(repair.standardOutput)")
        #expect(repair.standardOutput.contains("repair: run 1 · 1 transaction"), "\(repair.standardOutput)")

        // Readable again, every tenant's rows, the grant and the stamp back.
        #expect(try await Self.rowsPerTenant(warehouse) == before)
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        let comment = try await warehouse.scalar(String?.self, "SELECT obj_description('public.foodlogstats'::regclass, 'pg_class')")
        #expect(comment?.hasPrefix("warden: spec=") == true, "\(comment ?? "no comment")")
        #expect(try await Self.viewDrift(world).isEmpty)
        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        // The other template's public view was not touched.
        #expect(try await warehouse.scalar(Int64.self, "SELECT 'public.storedaily'::regclass::oid::bigint") == storedaily)

        // Recorded as a run with its reason, never as an applied revision.
        let run = try await warehouse.query("SELECT command, status, reason FROM _wh.warden_runs")
        #expect(run.rows.count == 1)
        #expect(try run.rows.first?.decode(String.self, at: 0).hasPrefix("warden repair public-view foodlogstats") == true)
        #expect(try run.rows.first?.decode(String.self, at: 1) == "succeeded")
        #expect(try run.rows.first?.decode(String.self, at: 2) == "INC-7: public view dropped by hand")
        #expect(try await warehouse.scalar(String.self, "SELECT kind FROM _wh.warden_steps WHERE outcome = 'succeeded'") == "replacePublicView")
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_applied") == 0)

        // Nothing left to repair.
        let again = try await Subprocess.run([binary, "repair", "public-view"] + world.base)
        #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput.contains("nothing to repair"), "\(again.standardOutput)")
        #expect(again.standardError.contains("public.storedaily already reads 3 tenant views"), "\(again.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a tenant view dropped with CASCADE takes the public view with it: repairing the tenant view brings both back in one transaction")
    func tenantViewDroppedWithCascade() async throws {
        let world = try await World.make("repair_tenant")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await Self.rowsPerTenant(warehouse)
        let landbRows = try await warehouse.scalar(Int64.self, "SELECT count(*) FROM landb.foodlogstats")

        try await warehouse.execute("DROP VIEW landb.foodlogstats CASCADE")
        #expect(try await !Self.exists(warehouse, "public.foodlogstats"))

        let repair = try await Subprocess.run([binary, "repair", "tenant-view", "landb", "foodlogstats"] + world.base)
        #expect(repair.status == 0, "\(repair.standardOutput)\(repair.standardError)")
        #expect(repair.standardOutput.contains(
            "repaired landb.foodlogstats: created over 1 yearly table and 4 daily views, 6 columns; "
                + "SELECT granted to landb_readers (it was missing)"),
            "\(repair.standardOutput)")
        #expect(repair.standardOutput.contains("repaired public.foodlogstats: created over 3 tenant views (acme, bistro, landb)"),
                "\(repair.standardOutput)")
        #expect(repair.standardOutput.contains("1 transaction"), "\(repair.standardOutput)")

        #expect(try await warehouse.scalar(Int64.self, "SELECT count(*) FROM landb.foodlogstats") == landbRows)
        #expect(try await Self.rowsPerTenant(warehouse) == before)
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('landb_readers', 'landb.foodlogstats', 'SELECT')"))
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        #expect(try await Self.viewDrift(world).isEmpty)
        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("columns CREATE OR REPLACE cannot reach: dropped and created in one transaction, which a dependent view stops whole")
    func recreateIsAllOrNothing() async throws {
        let world = try await World.make("repair_recreate")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await Self.rowsPerTenant(warehouse)

        // Someone rebuilt the public view by hand with the wrong columns, and built a report on it.
        try await warehouse.execute("DROP VIEW public.foodlogstats")
        try await warehouse.execute("CREATE VIEW public.foodlogstats AS SELECT 'landb'::text AS tenant, weight, id FROM landb.foodlogstats")
        try await warehouse.execute("CREATE SCHEMA reporting")
        try await warehouse.execute("CREATE VIEW reporting.weights AS SELECT tenant, weight FROM public.foodlogstats")

        let blocked = try await Subprocess.run([binary, "repair", "public-view", "foodlogstats"] + world.base)
        #expect(blocked.status == 1, "\(blocked.standardOutput)\(blocked.standardError)")
        #expect(blocked.standardError.hasPrefix("warden: the transaction repairing public.foodlogstats failed and was rolled back"),
                "\(blocked.standardError)")
        #expect(blocked.standardError.contains("view reporting.weights depends on view foodlogstats"), "\(blocked.standardError)")
        // Nothing was dropped: the hand-made view and the report on it are still there, readable.
        #expect(try await Self.exists(warehouse, "reporting.weights"))
        #expect(try await Self.rowsPerTenant(warehouse).keys.sorted() == ["landb"])
        #expect(try await warehouse.scalar(String.self, "SELECT status FROM _wh.warden_runs") == "failed")

        try await warehouse.execute("DROP VIEW reporting.weights")
        let repair = try await Subprocess.run([binary, "repair", "public-view", "foodlogstats"] + world.base)
        #expect(repair.status == 0, "\(repair.standardOutput)\(repair.standardError)")
        #expect(repair.standardOutput.contains("repaired public.foodlogstats: recreated over 3 tenant views"), "\(repair.standardOutput)")
        #expect(try await Self.rowsPerTenant(warehouse) == before)
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        #expect(try await Self.viewDrift(world).isEmpty)
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a member without a template column is refused in one sentence, and nothing changes")
    func refusesMemberLackingColumn() async throws {
        let world = try await World.make("repair_refuse")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        try await warehouse.execute("DROP VIEW acme.foodlogstats CASCADE")
        try await warehouse.execute("ALTER TABLE acme.foodlogstats_2025 DROP COLUMN weight")

        let repair = try await Subprocess.run([binary, "repair", "tenant-view", "acme", "foodlogstats"] + world.base)
        #expect(repair.status == 1, "\(repair.standardOutput)\(repair.standardError)")
        #expect(repair.standardOutput.isEmpty, "\(repair.standardOutput)")
        let lines = repair.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(repair.standardError)")
        #expect(repair.standardError.hasPrefix(
            "warden: cannot rebuild acme.foodlogstats: acme.foodlogstats_2025 lacks column weight (numeric(10,3))"), "\(repair.standardError)")
        #expect(try await !Self.exists(warehouse, "acme.foodlogstats"))
        #expect(try await !Self.exists(warehouse, "public.foodlogstats"))
        #expect(try await warehouse.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NULL"))

        // The public view alone can still come back, without acme, and says so.
        let publicView = try await Subprocess.run([binary, "repair", "public-view", "foodlogstats"] + world.base)
        #expect(publicView.status == 0, "\(publicView.standardOutput)\(publicView.standardError)")
        #expect(publicView.standardOutput.contains("created over 2 tenant views (bistro, landb)"), "\(publicView.standardOutput)")
        #expect(publicView.standardError.contains("public.foodlogstats leaves out acme"), "\(publicView.standardError)")
        #expect(try await Self.rowsPerTenant(warehouse).keys.sorted() == ["bistro", "landb"])

        // Unknown names are one sentence too.
        let unknown = try await Subprocess.run([binary, "repair", "tenant-view", "nobody"] + world.base)
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("nobody is not a tenant of warehouse.yaml"), "\(unknown.standardError)")
        await warehouse.close()
        await world.tearDown()
    }
}
