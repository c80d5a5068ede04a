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
        func addWasteCategory() throws { try DemoWarehouse.addWasteCategory(folder.path) }

        /// `warden drift` at `clock` (`--at …`) exits 0: nothing left to do.
        func expectInSync(_ clock: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let drift = try await Subprocess.run([WardenCLITests.binary, "drift"] + arguments + clock)
            #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)", sourceLocation: sourceLocation)
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

        let (apply, reading) = try await PublicViewReader.reading(world.dsn) {
            try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        }
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

        try await world.expectInSync(tuesday)
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
        try await world.expectInSync(tuesday)
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
        let sunday = ["--at", "2026-02-01T02:30:00-06:00"]
        let (inWindow, reading) = try await PublicViewReader.reading(world.dsn) {
            try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + sunday)
        }
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
        try await world.expectInSync(sunday)
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
        try await world.expectInSync(sunday)
        await warehouse.close()
        await world.tearDown()
    }

    @Test("a tenant whose foreign server points at a closed port: the others' new days are built and readable, apply exits 1 naming the tenant and its server, and the next apply after the fix builds its days")
    func unreachableTenant() async throws {
        let world = try await World.make("routine_unreachable")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let tuesday = ["--at", "2026-01-06T12:00:00Z"]
        let port = try await warehouse.scalar(
            String.self,
            """
            SELECT option_value FROM pg_options_to_table((SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'acme-prod'))
            WHERE option_name = 'port'
            """)
        try await warehouse.execute("ALTER SERVER \"acme-prod\" OPTIONS (SET port '1')")

        let broken = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        #expect(broken.status == 1, "\(broken.standardOutput)\(broken.standardError)")
        #expect(broken.standardError.contains("tenant acme: its source database cannot be reached through foreign server acme-prod"),
                "\(broken.standardError)")
        #expect(broken.standardOutput.contains("routine applied: "), "\(broken.standardOutput)")
        let counts = try await Self.publicRows(warehouse, day: "2026-01-05")
        #expect(Set(counts.keys) == ["landb", "bistro"], "\(counts)")
        #expect(!(try await Self.exists(warehouse, "acme.foodlogstats_2026_01_05")))
        let drift = try await Subprocess.run([binary, "drift", "--format", "json"] + world.arguments + tuesday)
        #expect(drift.status == 2, "acme's days are still drift: \(drift.standardOutput)")
        #expect(drift.standardOutput.contains("routine: waits for its source, which cannot be reached"), "\(drift.standardOutput)")

        try await warehouse.execute("ALTER SERVER \"acme-prod\" OPTIONS (SET port '\(port)')")
        let fixed = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        #expect(fixed.status == 0, "\(fixed.standardOutput)\(fixed.standardError)")
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-05").keys) == Self.tenants)
        await warehouse.close()
        await world.tearDown()
    }

    @Test("readyWhen false for one tenant: its day waits (day.waiting, exit 0), the others are built; once the probe turns true it is built")
    func readyWhen() async throws {
        let world = try await World.make("routine_ready_when")
        let binary = WardenCLITests.binary
        let cluster = try await TestCluster.shared()
        // Each source records the days its nightly load finished; acme's load of January 5 has not.
        for tenant in world.built.configuration.tenants {
            let source = try await cluster.connect(database: world.built.configuration.sourceDatabase(tenant))
            try await source.execute("CREATE TABLE load_log (day date PRIMARY KEY)")
            try await source.execute("INSERT INTO load_log VALUES ('2026-01-04')")
            if tenant.schema != "acme" { try await source.execute("INSERT INTO load_log VALUES ('2026-01-05')") }
            await source.close()
        }
        let yamlPath = world.folder.path + "/templates/foodlogstats.yaml"
        try (try String(contentsOfFile: yamlPath, encoding: .utf8)
            + "readyWhen: \"SELECT EXISTS (SELECT 1 FROM load_log WHERE day = '{TARGET_DATE}'::date)\"\n")
            .write(toFile: yamlPath, atomically: true, encoding: .utf8)
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let tuesday = ["--at", "2026-01-06T12:00:00Z"]

        let first = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-05").keys) == ["landb", "bistro"])
        #expect(try await Self.exists(warehouse, "acme.foodlogstats_2026_01_04"))
        #expect(!(try await Self.exists(warehouse, "acme.foodlogstats_2026_01_05")))
        #expect(try await Self.exists(warehouse, "acme.storedaily_2026_01_05"), "a template without readyWhen is not held")
        let drift = try await Subprocess.run([binary, "drift", "--format", "json"] + world.arguments + tuesday)
        #expect(drift.status == 0, "a waiting day is not drift to fix: \(drift.standardOutput)\(drift.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(drift.standardOutput.utf8)) as? [String: Any]
        let items = report?["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1, "\(items)")
        #expect(items.first?["kind"] as? String == "day.waiting")
        #expect(items.first?["tenant"] as? String == "acme")
        #expect(items.first?["object"] as? String == "acme.foodlogstats_2026_01_05")
        #expect(items.first?["found"] as? String == "readyWhen answered false")

        let acme = try await cluster.connect(database: world.built.configuration.sourceDatabase(world.built.configuration.tenants[1]))
        try await acme.execute("INSERT INTO load_log VALUES ('2026-01-05')")
        await acme.close()
        let second = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + tuesday)
        #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
        #expect(Set(try await Self.publicRows(warehouse, day: "2026-01-05").keys) == Self.tenants)
        await warehouse.close()
        await world.tearDown()
    }

    /// Inserts one late row into `tenant`'s source for `day` (id `id`, a copy of one of that day's rows
    /// at noon UTC).
    static func insertLateRow(_ world: World, tenant schema: String, day: String, id: Int) async throws {
        let cluster = try await TestCluster.shared()
        let tenant = try #require(world.built.configuration.tenants.first { $0.schema == schema })
        let source = try await cluster.connect(database: world.built.configuration.sourceDatabase(tenant))
        try await source.execute(
            """
            INSERT INTO phood_foodlogsum (id, location_id, logged_time, action_taken_id, flags, weight, waste_category)
            SELECT $1, location_id, $2::date + time '12:00', action_taken_id, 'late', weight, waste_category
            FROM phood_foodlogsum ORDER BY id LIMIT 1
            """, [id, day])
        await source.close()
    }

    /// Whether row `id` reads through `view` (a tenant's union view).
    static func hasRow(_ connection: PostgresConnection, _ view: String, id: Int) async throws -> Bool {
        try await connection.scalar(Bool.self, "SELECT EXISTS (SELECT 1 FROM \(view) WHERE id = $1)", [id])
    }

    @Test("lookbackDays: late rows of a day inside it appear the next routine day, once; outside it they do not; warden restate of one tenant and one day brings them in and leaves the other tenants' day untouched")
    func lookbackAndRestate() async throws {
        let world = try await World.make("routine_lookback", sourceThrough: "2026-01-06")
        try world.appendToWarehouse("routine:\n  lookbackDays: 2\n")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let yearlyBefore = try await ApplyCommandTests.yearlyTables(warehouse)
        // Tuesday: January 4 and 5 are built (and January 3, in the lookback, is re-read).
        let tuesday = try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + ["--at", "2026-01-06T12:00:00Z"])
        #expect(tuesday.status == 0, "\(tuesday.standardOutput)\(tuesday.standardError)")

        // Late rows arrive for January 4 (inside Wednesday's lookback: January 4 and 5) and January 2
        // (outside it), in landb's source.
        try await Self.insertLateRow(world, tenant: "landb", day: "2026-01-04", id: 900_000_004)
        try await Self.insertLateRow(world, tenant: "landb", day: "2026-01-02", id: 900_000_002)
        try await Self.insertLateRow(world, tenant: "acme", day: "2026-01-02", id: 900_000_012)

        let wednesday = ["--at", "2026-01-07T12:00:00Z"]
        let (next, reading) = try await PublicViewReader.reading(world.dsn) {
            try await Subprocess.run([binary, "apply", "--yes"] + world.arguments + wednesday)
        }
        #expect(next.status == 0, "\(next.standardOutput)\(next.standardError)")
        #expect(next.standardOutput.contains("refresh daily view"), "\(next.standardOutput)")
        #expect(reading.errors.isEmpty, "\(reading.errors)")
        #expect(try await Self.hasRow(warehouse, "landb.foodlogstats", id: 900_000_004), "inside lookback: read")
        #expect(!(try await Self.hasRow(warehouse, "landb.foodlogstats", id: 900_000_002)), "outside lookback: not read")

        // Once per routine day: a second pass the same day has nothing to do.
        let again = try await Subprocess.run([binary, "plan"] + world.arguments + wednesday)
        #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput.contains("nothing to do"), "\(again.standardOutput)")

        // Restate landb's January 2 alone.
        let restate = try await Subprocess.run(
            [binary, "restate", "--yes", "--template", "foodlogstats", "--tenant", "landb", "--from", "2026-01-02",
             "--reason", "late rows of January 2"] + world.arguments + wednesday)
        #expect(restate.status == 0, "\(restate.standardOutput)\(restate.standardError)")
        #expect(restate.standardOutput.contains("restated: "), "\(restate.standardOutput)")
        #expect(try await Self.hasRow(warehouse, "landb.foodlogstats", id: 900_000_002))
        #expect(!(try await Self.hasRow(warehouse, "acme.foodlogstats", id: 900_000_012)), "acme's January 2 is untouched")
        let targets = try await warehouse.query(
            "SELECT target FROM _wh.warden_steps WHERE run_id = (SELECT max(run_id) FROM _wh.warden_runs) ORDER BY step_no"
        ).rows.map { try $0.decode(String.self, at: 0) }
        #expect(targets == ["landb.foodlogstats_2026_01_02"], "\(targets)")
        let reasons = try await warehouse.query("SELECT coalesce(reason, '') FROM _wh.warden_runs ORDER BY run_id").rows
            .map { try $0.decode(String.self, at: 0) }
        #expect(reasons.last == "restate: late rows of January 2", "\(reasons)")

        // A day of a past year lives in a yearly table: refused, nothing changed.
        let past = try await Subprocess.run(
            [binary, "restate", "--yes", "--template", "foodlogstats", "--from", "2025-12-30", "--reason", "x"] + world.arguments + wednesday)
        #expect(past.status == 3, "\(past.standardOutput)\(past.standardError)")
        #expect(past.standardError.contains("2025-12-30 is kept in the yearly tables (foodlogstats_2025)"), "\(past.standardError)")
        #expect(try await ApplyCommandTests.yearlyTables(warehouse) == yearlyBefore)
        await warehouse.close()
        await world.tearDown()
    }
}
