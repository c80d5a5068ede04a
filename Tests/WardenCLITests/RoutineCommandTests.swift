import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

/// The warehouse's daily life (DESIGN.md §6b) through the real binary: routine work is not held by the
/// allow windows that hold changes.
///
/// The world: the demo warehouse built the seed's way as of Sunday 2026-01-04 (daily views through
/// January 3, sources through January 4 and, added here, January 5), with the repository's own windows:
/// an allow window on Sunday night (Chicago) and a month-end deny window (28th 00:00 UTC, 96 h).
@Suite("routine: new days, outages and changes that wait", .integration, .hangGuard)
struct RoutineCommandTests {
    struct World {
        var built: DemoWorld.Built
        var folder: TemporaryFolder
        var dsn: String { built.warehouseConnectionString }
        var arguments: [String] { ["--dir", folder.path, "--database", dsn] }

        static func make(_ label: String, sourceThrough last: String = "2026-01-05") async throws -> World {
            let (built, folder) = try await DemoWarehouse.build(label, asOf: PostgresDate(year: 2026, month: 1, day: 4))
            let world = World(built: built, folder: folder)
            try await world.loadSources(from: "2026-01-05", through: last)
            return world
        }

        /// What each tenant's nightly load would write: the synthetic rows of those days.
        func loadSources(from first: String, through last: String) async throws {
            let cluster = try await TestCluster.shared()
            for tenant in built.configuration.tenants {
                let source = try await cluster.connect(database: built.configuration.sourceDatabase(tenant))
                _ = try await source.query(
                    "SELECT demo_generate_foodlogs($1::date, $2::date, $3, $4)", [first, last, tenant.rowsPerDay, tenant.seed])
                await source.close()
            }
        }

        /// Appends `text` to `warehouse.yaml`.
        func appendToWarehouse(_ text: String) throws {
            let path = folder.path + "/warehouse.yaml"
            try (try String(contentsOfFile: path, encoding: .utf8) + text).write(toFile: path, atomically: true, encoding: .utf8)
        }

        /// Seed 000's added column, merged: `waste_category` at the end of foodlogstats.
        func addWasteCategory() throws {
            let yamlPath = folder.path + "/templates/foodlogstats.yaml"
            try String(contentsOfFile: yamlPath, encoding: .utf8).replacing(
                "indexes:", with: "  - { name: waste_category, type: text, default: UNKNOWN }\nindexes:")
                .write(toFile: yamlPath, atomically: true, encoding: .utf8)
            let sqlPath = folder.path + "/templates/foodlogstats.sql"
            try String(contentsOfFile: sqlPath, encoding: .utf8).replacing("pf.weight\n", with: "pf.weight,\n    pf.waste_category\n")
                .write(toFile: sqlPath, atomically: true, encoding: .utf8)
        }

        func tearDown() async {
            folder.remove()
            await DemoWarehouse.drop(built)
        }
    }

    /// Rows of `day` per tenant in `public.foodlogstats` (UTC days, as the template cuts them).
    static func publicRows(_ connection: PostgresConnection, day: String) async throws -> [String: Int] {
        let rows = try await connection.query(
            """
            SELECT tenant, count(*)::int FROM public.foodlogstats
            WHERE logged_time >= $1::date::timestamptz AND logged_time < $1::date::timestamptz + interval '1 day'
            GROUP BY tenant
            """, [day])
        var counts: [String: Int] = [:]
        for row in rows.rows { counts[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
        return counts
    }

    /// Whether a relation exists.
    static func exists(_ connection: PostgresConnection, _ name: String) async throws -> Bool {
        try await connection.scalar(Bool.self, "SELECT to_regclass($1) IS NOT NULL", [name])
    }

    static let tenants: Set<String> = ["landb", "acme", "bistro"]

    @Test("on a Tuesday with only a Sunday allow window: yesterday and the day before are built and readable in the public view, readers never fail, and nothing is left to do")
    func tuesdayBuildsTheDays() async throws {
        let world = try await World.make("routine_tuesday")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let tuesday = ["--at", "2026-01-06T12:00:00Z"]
        #expect(try await Self.publicRows(warehouse, day: "2026-01-05").isEmpty)

        let plan = try await Subprocess.run([binary, "plan"] + world.arguments + tuesday)
        #expect(plan.status == 2, "\(plan.standardOutput)\(plan.standardError)")
        #expect(plan.standardOutput.hasPrefix("routine as of 2026-01-06"), "\(plan.standardOutput)")
        #expect(!plan.standardOutput.contains("waiting for window"), "\(plan.standardOutput)")

        let reader = try await PublicViewReader.start(world.dsn)
        await reader.waitForQueries()
        let apply = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        await reader.waitForQueries()
        let reading = await reader.stop()
        print("public.foodlogstats reader during the Tuesday routine: \(PublicViewReader.describe(reading))")
        #expect(apply.status == 0, "\(apply.standardOutput)\(apply.standardError)")
        #expect(apply.standardOutput.contains("routine applied: "), "\(apply.standardOutput)")
        #expect(reading.errors.isEmpty, "\(reading.errors)")
        for day in ["2026-01-04", "2026-01-05"] {
            let counts = try await Self.publicRows(warehouse, day: day)
            #expect(Set(counts.keys) == Self.tenants, "\(day): \(counts)")
        }
        #expect(try await Self.exists(warehouse, "landb.storedaily_2026_01_05"))
        // Routine applies no revision: nothing is recorded as applied.
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_applied") == 0)

        let drift = try await Subprocess.run([binary, "drift"] + world.arguments + tuesday)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("buildAfter: at 00:30 yesterday is not due and is not built; at 03:00 it is")
    func buildAfter() async throws {
        let world = try await World.make("routine_build_after")
        try world.appendToWarehouse("routine:\n  buildAfter: \"02:00\"\n")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))

        let early = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-06T00:30:00Z"])
        #expect(early.status == 0, "\(early.standardOutput)\(early.standardError)")
        #expect(early.standardOutput.contains("routine as of 2026-01-05"), "\(early.standardOutput)")
        #expect(try await Self.exists(warehouse, "landb.foodlogstats_2026_01_04"))
        #expect(!(try await Self.exists(warehouse, "landb.foodlogstats_2026_01_05")))
        let earlyDrift = try await Subprocess.run([binary, "drift"] + world.arguments + ["--at", "2026-01-06T00:30:00Z"])
        #expect(earlyDrift.status == 0, "before buildAfter yesterday is not drift: \(earlyDrift.standardOutput)")

        let late = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-06T03:00:00Z"])
        #expect(late.status == 0, "\(late.standardOutput)\(late.standardError)")
        #expect(try await Self.exists(warehouse, "landb.foodlogstats_2026_01_05"))
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-05").keys) == Self.tenants)
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a dropped public view on a weekday is put back by the next apply, with its grants, without waiting for Sunday")
    func droppedPublicViewComesBack() async throws {
        let world = try await World.make("routine_outage")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let tuesday = ["--at", "2026-01-06T12:00:00Z"]
        try await warehouse.execute("DROP VIEW public.foodlogstats")

        let apply = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        #expect(apply.status == 0, "\(apply.standardOutput)\(apply.standardError)")
        #expect(!apply.standardOutput.contains("waiting for window"), "\(apply.standardOutput)")
        #expect(try await Self.exists(warehouse, "public.foodlogstats"))
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-05").keys) == Self.tenants)
        let drift = try await Subprocess.run([binary, "drift"] + world.arguments + tuesday)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a column change in a deny window: new days keep arriving in the live shape, the change does not run and apply exits 3 naming the window; in the allow window it lands over every day")
    func changeWaitsWhileDaysArrive() async throws {
        let world = try await World.make("routine_deny", sourceThrough: "2026-01-31")
        try world.addWasteCategory()
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let columnsBefore = try await ApplyCommandTests.publicColumns(warehouse)
        let yearlyBefore = try await ApplyCommandTests.yearlyTables(warehouse)

        // Thursday January 29, inside month-end-close.
        let denied = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-29T12:00:00Z"])
        #expect(denied.status == 3, "\(denied.standardOutput)\(denied.standardError)")
        #expect(denied.standardOutput.contains("routine applied: "), "\(denied.standardOutput)")
        #expect(denied.standardError.contains("deny window month-end-close"), "\(denied.standardError)")
        #expect(try await ApplyCommandTests.publicColumns(warehouse) == columnsBefore)
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-28").keys) == Self.tenants)
        #expect(try await ApplyCommandTests.leftovers(warehouse) == 0, "a denied change builds no shadow")
        #expect(try await ApplyCommandTests.yearlyTables(warehouse) == yearlyBefore)

        // Sunday February 1, 02:30 in Chicago: sunday-night is open and month-end-close has closed.
        let reader = try await PublicViewReader.start(world.dsn)
        await reader.waitForQueries()
        let sunday = ["--at", "2026-02-01T02:30:00-06:00"]
        let inWindow = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + sunday)
        await reader.waitForQueries()
        let reading = await reader.stop()
        #expect(inWindow.status == 0, "\(inWindow.standardOutput)\(inWindow.standardError)")
        #expect(reading.errors.isEmpty, "\(reading.errors)")
        #expect(try await ApplyCommandTests.publicColumns(warehouse) == columnsBefore + ["waste_category"])
        for day in ["2026-01-28", "2026-01-31"] {
            let filled = try await warehouse.scalar(
                Int.self,
                """
                SELECT count(*)::int FROM public.foodlogstats
                WHERE logged_time >= $1::date::timestamptz AND logged_time < $1::date::timestamptz + interval '1 day'
                  AND waste_category IS NOT NULL
                """, [day])
            #expect(filled > 0, "\(day) reads the new column")
        }
        #expect(try await ApplyCommandTests.leftovers(warehouse) == 0)
        let drift = try await Subprocess.run([binary, "drift"] + world.arguments + sunday)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a day arriving after the change's prepare: built in the live shape, then covered by the change's shadows when its window comes")
    func dayAfterPrepare() async throws {
        let world = try await World.make("routine_after_prepare", sourceThrough: "2026-01-10")
        try world.addWasteCategory()
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let columnsBefore = try await ApplyCommandTests.publicColumns(warehouse)

        // Tuesday: the routine builds the due days, prepareAhead builds the shadows, the swap waits.
        let tuesday = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-06T12:00:00Z"])
        #expect(tuesday.status == 3, "\(tuesday.standardOutput)\(tuesday.standardError)")
        #expect(tuesday.standardError.contains("waiting for window sunday-night"), "\(tuesday.standardError)")
        #expect(try await ApplyCommandTests.leftovers(warehouse) > 0, "the shadows are built ahead")

        // Thursday: two more days, in the live shape, readable at once; the change still waits.
        let thursday = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-08T12:00:00Z"])
        #expect(thursday.status == 3, "\(thursday.standardOutput)\(thursday.standardError)")
        #expect(thursday.standardOutput.contains("routine applied: "), "\(thursday.standardOutput)")
        #expect(try await ApplyCommandTests.publicColumns(warehouse) == columnsBefore)
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-07").keys) == Self.tenants)

        // Sunday night: the change lands over every day, those built after its prepare included.
        let sunday = ["--at", "2026-01-11T02:30:00-06:00"]
        let inWindow = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + sunday)
        #expect(inWindow.status == 0, "\(inWindow.standardOutput)\(inWindow.standardError)")
        #expect(try await ApplyCommandTests.publicColumns(warehouse) == columnsBefore + ["waste_category"])
        for day in ["2026-01-05", "2026-01-07", "2026-01-10"] {
            let counts = try await Self.publicRows(warehouse, day: day)
            #expect(Set(counts.keys) == Self.tenants, "\(day): \(counts)")
        }
        #expect(try await ApplyCommandTests.leftovers(warehouse) == 0)
        let drift = try await Subprocess.run([binary, "drift"] + world.arguments + sunday)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }
}
