import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden apply", .integration, .hangGuard)
struct ApplyCommandTests {
    /// A small legacy warehouse and a copy of the demo desired state with seed 000's `waste_category`.
    struct World {
        var built: DemoWorld.Built
        var folder: TemporaryFolder
        var dsn: String { built.warehouseConnectionString }
        /// Evaluated inside the demo's `sunday-night` allow window (Sunday 02:00–06:00 America/Chicago),
        /// outside its `month-end-close` deny window.
        var base: [String] { unscheduled + ["--at", "2026-11-22T02:30:00-06:00"] }
        var unscheduled: [String] { ["--dir", folder.path, "--database", dsn, "--as-of", "2026-01-05"] }

        static func make(_ label: String) async throws -> World {
            let (built, folder) = try await DemoWarehouse.build(label)
            try DemoWarehouse.addWasteCategory(folder.path)
            return World(built: built, folder: folder)
        }

        func tearDown() async {
            folder.remove()
            await DemoWarehouse.drop(built)
        }
    }

    /// Every `<tenant>.foodlogstats_YYYY`: its columns, row count and checksum over those columns.
    struct YearlyTable: Hashable {
        var name: String
        var columns: [String]
        var rows: Int
        var checksum: String
    }

    static func yearlyTables(_ connection: PostgresConnection, columns fixed: [String: [String]]? = nil) async throws -> [String: YearlyTable] {
        let tables = try await connection.query(
            """
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
            WHERE tablename ~ '^foodlogstats_\\d{4}$' AND schemaname NOT IN ('public', '_wh') ORDER BY 1
            """)
        var result: [String: YearlyTable] = [:]
        for row in tables.rows {
            let name = try row.decode(String.self, at: 0)
            let columns: [String]
            if let fixed, let known = fixed[name] {
                columns = known
            } else {
                let found = try await connection.query(
                    "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    [name])
                columns = try found.rows.map { try $0.decode(String.self, at: 0) }
            }
            let list = columns.map { "t.\"\($0)\"" }.joined(separator: ", ")
            let stats = try await connection.query(
                "SELECT count(*)::bigint, coalesce(md5(string_agg(ROW(\(list))::text, ',' ORDER BY t.id)), '') FROM \(name) t")
            result[name] = YearlyTable(
                name: name, columns: columns, rows: Int(try stats.rows[0].decode(Int64.self, at: 0)),
                checksum: try stats.rows[0].decode(String.self, at: 1))
        }
        return result
    }

    static func leftovers(_ connection: PostgresConnection) async throws -> Int {
        try await connection.scalar(
            Int.self, "SELECT count(*)::int FROM pg_class WHERE relname LIKE '%\\_\\_shadow%' OR relname LIKE '%\\_\\_retired%'")
    }

    @Test("seed 000's added column: every yearly row kept, new column filled, public view readable throughout, journal written")
    func addColumnApply() async throws {
        let world = try await World.make("apply")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))

        let before = try await Self.yearlyTables(warehouse)
        #expect(!before.isEmpty)
        #expect(before.values.allSatisfy { $0.rows > 0 })

        // A reader of the public view, on its own connection, from before the apply until after it. Its
        // session's lock_timeout is 1 s: a wait for any lock longer than that fails the query.
        let reader = try await PublicViewReader.start(world.dsn, lockTimeout: .seconds(1))
        await reader.waitForQueries()

        let apply = try await Subprocess.run([binary, "apply", "--yes", "--reason", "seed 000: waste_category"] + world.base)
        await reader.waitForQueries()
        let reading = await reader.stop()

        #expect(apply.status == 0, "\(apply.standardOutput)\n\(apply.standardError)")
        print(apply.standardOutput.split(separator: "\n").filter { $0.hasPrefix("applied:") }.joined(separator: "\n"))
        #expect(apply.standardOutput.contains("applied: run"), "\(apply.standardOutput)")
        // The longest swap step reads as a duration, not a count ("longest swap step 221: 97 ms").
        #expect(apply.standardOutput.contains(" · longest swap step took "), "\(apply.standardOutput)")
        #expect(apply.standardError.contains("prepare 1/"), "\(apply.standardError)")
        print("public.foodlogstats reader during the apply: \(PublicViewReader.describe(reading))")
        #expect(reading.errors.isEmpty, "no query failed, and none waited over 1 s for a lock: \(reading.errors)")
        #expect(reading.queries > 0)

        // Yearly tables keep every row and gain waste_category = 'UNKNOWN'.
        let oldColumns = before.mapValues(\.columns)
        let after = try await Self.yearlyTables(warehouse, columns: oldColumns)
        #expect(Set(after.keys) == Set(before.keys))
        for (name, table) in before {
            #expect(after[name]?.rows == table.rows, "\(name)")
            #expect(after[name]?.checksum == table.checksum, "\(name)")
            #expect(try await warehouse.scalar(
                Int.self, "SELECT count(*)::int FROM \(name) WHERE waste_category IS DISTINCT FROM 'UNKNOWN'") == 0, "\(name)")
        }

        // Current-year daily views carry the source's values.
        let real = try await warehouse.scalar(
            Int.self,
            "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time >= '2026-01-01' AND waste_category IS NOT NULL AND waste_category <> 'UNKNOWN'")
        #expect(real > 0)

        // Grants survive.
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))

        // Seed 000's Phase 6.
        for tenant in world.built.configuration.tenants {
            let column = try await warehouse.query(
                """
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = $1 AND table_name = 'foodlogstats_2025' AND column_name = 'waste_category'
                """, [tenant.schema])
            #expect(column.rows.count == 1, "\(tenant.schema)")
            _ = try await warehouse.scalar(Int64.self, "SELECT count(*) FROM \(tenant.schema).foodlogstats")
        }
        #expect(try await warehouse.scalar(Int64.self, "SELECT count(*) FROM public.foodlogstats") > 0)
        let groups = try await warehouse.query("SELECT waste_category, count(*) FROM public.foodlogstats GROUP BY waste_category")
        #expect(groups.rows.count > 1)

        #expect(try await Self.leftovers(warehouse) == 0)

        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")

        // The journal.
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_runs WHERE status = 'succeeded' AND finished_at IS NOT NULL") == 1)
        let steps = try await warehouse.query("SELECT outcome, count(*)::int FROM _wh.warden_steps GROUP BY outcome")
        #expect(steps.rows.count == 1)
        #expect(try steps.rows.first?.decode(String.self, at: 0) == "succeeded")
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_applied WHERE template = 'foodlogstats'") == 1)

        let history = try await Subprocess.run([binary, "history", "--database", world.dsn])
        #expect(history.status == 0)
        #expect(history.standardOutput.contains("succeeded"), "\(history.standardOutput)")

        // Applying again: nothing to do.
        let again = try await Subprocess.run([binary, "apply", "--yes"] + world.base)
        #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput.contains("nothing to do"))

        await warehouse.close()
        await world.tearDown()
    }

    @Test("a second writer is refused, naming the session that holds the apply lock; nothing changes")
    func secondWriterRefused() async throws {
        let world = try await World.make("apply_lock")
        let holder = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "other-warden-7"))
        _ = try await holder.query(
            "SELECT pg_advisory_lock($1::bigint)", [PostgresConnection.advisoryLockKey("warden.apply")])
        let before = try await Self.yearlyTables(holder)

        let apply = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes"] + world.base)
        #expect(apply.status == 3, "\(apply.standardOutput)\(apply.standardError)")
        #expect(apply.standardError.contains("another warden is applying"), "\(apply.standardError)")
        #expect(apply.standardError.contains("other-warden-7"), "\(apply.standardError)")
        #expect(try await holder.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NULL"))

        #expect(try await Self.yearlyTables(holder) == before)
        #expect(try await Self.leftovers(holder) == 0)
        let drift = try await Subprocess.run([WardenCLITests.binary, "drift"] + world.base)
        #expect(drift.status == 2)
        await holder.close()
        await world.tearDown()
    }

    @Test("a removed column, then a renamed one, are refused without --allow-destructive (exit 3, nothing changed) and applied with it")
    func destructiveRemovalNeedsTheFlag() async throws {
        let world = try await World.make("apply_remove")
        let yamlPath = world.folder.path + "/templates/foodlogstats.yaml"
        let yaml = try String(contentsOfFile: yamlPath, encoding: .utf8)
        let withoutFlags = yaml.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("name: flags,") }
        #expect(withoutFlags.count == yaml.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
        try withoutFlags.joined(separator: "\n").write(toFile: yamlPath, atomically: true, encoding: .utf8)
        let sqlPath = world.folder.path + "/templates/foodlogstats.sql"
        try String(contentsOfFile: sqlPath, encoding: .utf8).replacing("    pf.flags,\n", with: "")
            .write(toFile: sqlPath, atomically: true, encoding: .utf8)
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await Self.yearlyTables(warehouse)

        let refused = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes"] + world.base)
        #expect(refused.status == 3, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains("refusing to apply: template.column.removed foodlogstats.flags"), "\(refused.standardError)")
        #expect(refused.standardError.contains("dropYearlyColumn"), "\(refused.standardError)")
        #expect(refused.standardError.contains("Nothing was changed."), "\(refused.standardError)")
        #expect(try await Self.yearlyTables(warehouse) == before)
        #expect(try await Self.leftovers(warehouse) == 0)
        #expect(try await warehouse.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NULL"))

        let applied = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes", "--allow-destructive"] + world.base)
        #expect(applied.status == 0, "\(applied.standardOutput)\(applied.standardError)")
        let after = try await Self.yearlyTables(warehouse)
        for (name, table) in before {
            #expect(after[name]?.rows == table.rows, "\(name)")
            #expect(after[name]?.columns.contains("flags") == false, "\(name)")
        }
        #expect(try await Self.leftovers(warehouse) == 0)
        let drift = try await Subprocess.run([WardenCLITests.binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")

        // A rename drops no row, but every query naming the old column breaks: it needs the flag too.
        let renamedYAML = try String(contentsOfFile: yamlPath, encoding: .utf8)
            .replacing(#"{ name: weight,          type: "numeric(10,3)" }"#, with: #"{ name: weight_kg, type: "numeric(10,3)", renamedFrom: weight }"#)
        #expect(renamedYAML.contains("renamedFrom: weight"))
        try renamedYAML.write(toFile: yamlPath, atomically: true, encoding: .utf8)
        try String(contentsOfFile: sqlPath, encoding: .utf8).replacing("    pf.weight\n", with: "    pf.weight AS weight_kg\n")
            .write(toFile: sqlPath, atomically: true, encoding: .utf8)
        let plan = try await Subprocess.run([WardenCLITests.binary, "plan"] + world.base)
        #expect(plan.standardOutput.contains("needs allowDestructive: template.column.renamed"), "\(plan.standardOutput.prefix(1500))")
        let renameRefused = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes"] + world.base)
        #expect(renameRefused.status == 3, "\(renameRefused.standardOutput)\(renameRefused.standardError)")
        #expect(renameRefused.standardError.contains("refusing to apply: template.column.renamed"), "\(renameRefused.standardError)")
        #expect(renameRefused.standardError.contains("Nothing was changed."), "\(renameRefused.standardError)")
        #expect(try await Self.yearlyTables(warehouse) == after)
        let renamed = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes", "--allow-destructive"] + world.base)
        #expect(renamed.status == 0, "\(renamed.standardOutput)\(renamed.standardError)")
        for (name, table) in try await Self.yearlyTables(warehouse) {
            #expect(table.rows == after[name]?.rows && table.checksum == after[name]?.checksum, "\(name): every value kept")
            #expect(table.columns.contains("weight_kg") && !table.columns.contains("weight"), "\(name)")
        }
        await warehouse.close()
        await world.tearDown()
    }

    @Test("without a terminal and without --yes, apply refuses with exit 3 and changes nothing")
    func refusesWithoutTerminal() async throws {
        let world = try await World.make("apply_tty")
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await Self.yearlyTables(warehouse)

        let apply = try await Subprocess.run([WardenCLITests.binary, "apply"] + world.base)
        #expect(apply.status == 3, "\(apply.standardOutput)\(apply.standardError)")
        #expect(apply.standardError.contains("pass --yes to apply without a terminal"), "\(apply.standardError)")
        // What a reviewer reads before the question: the summary, not every statement; and no message
        // lands in the middle of it (in a pipe, stdout is flushed before stderr is written).
        #expect(apply.standardOutput.contains("\nprepare: now"), "\(apply.standardOutput)")
        #expect(apply.standardOutput.contains(" × build shadow daily view · foodlogstats · "), "\(apply.standardOutput)")
        #expect(!apply.standardOutput.contains("CREATE MATERIALIZED VIEW"), "\(apply.standardOutput)")
        #expect(!apply.standardOutput.contains("warden:"), "\(apply.standardOutput)")
        // The plan's notes are in the summary, not repeated on stderr as warnings.
        #expect(apply.standardOutput.contains("\nnotes:\n"), "\(apply.standardOutput)")
        #expect(!apply.standardError.contains("warning:"), "\(apply.standardError)")
        #expect(apply.standardOutput.hasSuffix("(each step with its SQL: add --sql, or --format sql for a migration file)\n"))
        // Both streams into one pipe, as in a CI log: the refusal starts a line of its own after the plan.
        let quoted = ([WardenCLITests.binary, "apply"] + world.base).map { "'" + $0.replacing("'", with: "'\\''") + "'" }
        let combined = try await Subprocess.run(["/bin/sh", "-c", "exec " + quoted.joined(separator: " ") + " 2>&1"])
        #expect(combined.status == 3)
        #expect(combined.standardOutput.hasSuffix(
            "(each step with its SQL: add --sql, or --format sql for a migration file)\n"
                + "warden: refusing to apply: pass --yes to apply without a terminal. Nothing was changed.\n"), "\(combined.standardOutput)")

        #expect(try await Self.yearlyTables(warehouse) == before)
        #expect(try await Self.leftovers(warehouse) == 0)
        #expect(try await warehouse.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NULL"))
        await warehouse.close()
        await world.tearDown()
    }

    /// The public view's columns.
    static func publicColumns(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'public.foodlogstats'::regclass AND attnum > 0 ORDER BY attnum"
        ).rows.map { try $0.decode(String.self, at: 0) }
    }

    @Test("outside every window: apply builds the shadows, does not swap, exits 3 naming the next window; inside it, the swap completes while the public view stays readable")
    func windowsHoldTheSwap() async throws {
        let world = try await World.make("apply_window")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let columnsBefore = try await Self.publicColumns(warehouse)

        // Tuesday noon UTC: no window is open; prepareAhead builds the shadows, the swap waits.
        let early = try await Subprocess.run(
            [binary, "apply", "--yes"] + world.unscheduled + ["--at", "2026-11-17T12:00:00Z"])
        #expect(early.status == 3, "\(early.standardOutput)\(early.standardError)")
        #expect(early.standardError.contains("waiting for window sunday-night: opens 2026-11-22 02:00 CST (in 4d 20h)"),
                "\(early.standardError)")
        #expect(early.standardOutput.contains("swap: waiting for window sunday-night"), "\(early.standardOutput)")
        let shadows = try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_class WHERE relkind = 'm' AND relname LIKE '%\\_\\_shadow'")
        #expect(shadows > 0)
        #expect(try await Self.publicColumns(warehouse) == columnsBefore)
        #expect(try await warehouse.scalar(String.self, "SELECT status FROM _wh.warden_runs ORDER BY run_id DESC LIMIT 1") == "waiting")

        // Inside the window: the swap and cleanup run, the shadows are reused, readers never fail.
        let reader = try await PublicViewReader.start(world.dsn)
        await reader.waitForQueries()
        let inWindow = try await Subprocess.run([binary, "apply", "--yes"] + world.base)
        await reader.waitForQueries()
        let reading = await reader.stop()
        #expect(inWindow.status == 0, "\(inWindow.standardOutput)\(inWindow.standardError)")
        #expect(inWindow.standardOutput.contains("already carry the matching stamp and are reused"), "\(inWindow.standardOutput)")
        #expect(!inWindow.standardOutput.contains("buildShadowDailyView"), "\(inWindow.standardOutput)")
        print("public.foodlogstats reader during the in-window apply: \(PublicViewReader.describe(reading))")
        #expect(reading.errors.isEmpty, "\(reading.errors)")
        #expect(reading.queries > 0)
        #expect(try await Self.publicColumns(warehouse) == columnsBefore + ["waste_category"])
        #expect(try await Self.leftovers(warehouse) == 0)
        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        await warehouse.close()
        await world.tearDown()
    }

    @Test("--now needs a reason, is refused through a deny window without manualSync, and its reason is recorded")
    func manualOverride() async throws {
        let world = try await World.make("apply_now")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await Self.yearlyTables(warehouse)

        let noReason = try await Subprocess.run([binary, "apply", "--yes", "--now"] + world.unscheduled)
        #expect(noReason.status != 0)
        #expect(noReason.standardError.contains("--now overrides the maintenance windows and needs --reason"), "\(noReason.standardError)")

        // 2026-11-29 03:00 Chicago is inside month-end-close (deny, no manualSync).
        let denied = try await Subprocess.run(
            [binary, "apply", "--yes", "--now", "--reason", "hotfix"] + world.unscheduled + ["--at", "2026-11-29T03:00:00-06:00"])
        #expect(denied.status == 3, "\(denied.standardOutput)\(denied.standardError)")
        #expect(denied.standardError.contains("refused:"), "\(denied.standardError)")
        #expect(denied.standardError.contains("month-end-close"), "\(denied.standardError)")
        #expect(try await Self.yearlyTables(warehouse) == before)
        #expect(try await Self.leftovers(warehouse) == 0)

        // A Tuesday, no window open: --now runs everything, and the reason is kept with the run.
        let now = try await Subprocess.run(
            [binary, "apply", "--yes", "--now", "--reason", "INC-42: analysts need waste_category today"]
                + world.unscheduled + ["--at", "2026-11-17T12:00:00Z"])
        #expect(now.status == 0, "\(now.standardOutput)\(now.standardError)")
        #expect(try await warehouse.scalar(String.self, "SELECT reason FROM _wh.warden_runs WHERE status = 'succeeded'")
                == "INC-42: analysts need waste_category today")
        await warehouse.close()
        await world.tearDown()
    }
}
