import Drift
import Executor
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// Column changes and query changes applied by rename swap on a real warehouse (DemoWorld), then checked
/// the way a user would: drift in sync, history kept, the public view readable for every tenant with the
/// new columns, grants kept, the other template untouched.
@Suite("Column changes by rename swap", .integration, .hangGuard)
struct ColumnChangeTests {
    static let original = ["id", "store", "logged_time", "action_taken_id", "flags", "weight"]

    /// What the warehouse looked like before a change.
    struct Before {
        var yearly: [String: String]
        var publicRows: [String: Int]
        var storedaily: [String: String]
    }

    static func snapshot(_ world: ColumnChangeWorld, kept: [String]) async throws -> Before {
        Before(
            yearly: try await world.yearlyChecksums(kept), publicRows: try await world.publicRows(),
            storedaily: try await world.oids(of: "storedaily"))
    }

    /// Applies the plan and checks the outcome: (a) drift in sync, (b) every yearly row kept with the
    /// untouched columns unchanged (`kept` read as `keptAfter` now), (c) the public view returns the same
    /// rows for every tenant with the new column list, (d) grants kept, and the other template and no
    /// leftover in the way.
    static func verify(_ world: ColumnChangeWorld, before: Before, keptAfter: [String]) async throws {
        let drift = try await world.drift()
        #expect(drift.items.isEmpty, "\(ColumnChangeWorld.lines(drift))")
        #expect(try await world.yearlyChecksums(keptAfter) == before.yearly)
        let rows = try await world.publicRows()
        #expect(rows == before.publicRows)
        #expect(Set(rows.keys) == Set(world.tenants))
        #expect(try await world.columns("public.foodlogstats") == ["tenant"] + world.foodlogstats.columns.map(\.name))
        for tenant in world.tenants {
            #expect(try await world.columns("\(tenant).foodlogstats") == world.foodlogstats.columns.map(\.name))
        }
        #expect(try await world.connection.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        #expect(try await world.connection.scalar(Bool.self, "SELECT has_table_privilege('landb_readers', 'landb.foodlogstats', 'SELECT')"))
        #expect(try await world.oids(of: "storedaily") == before.storedaily)
        #expect(try await world.leftovers().isEmpty)
    }

    static func notPlanned(_ plan: Plan) -> [String] { plan.notes.filter { $0.hasPrefix("not planned yet") } }

    @Test("a column inserted in the middle: yearly tables get it with its default, the views show it in place")
    func insertedColumn() async throws {
        try await ColumnChangeWorld.with("cc_insert") { world in
            let before = try await Self.snapshot(world, kept: Self.original)
            var template = world.foodlogstats
            template.columns.insert(Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN"), at: 2)
            template.query = template.query.replacing("pl.name AS store,\n", with: "pl.name AS store,\n    pf.waste_category,\n")
            world.foodlogstats = template
            let plan = try await world.plan()
            #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
            #expect(!plan.steps.contains { $0.stepClass == .destructive })
            let reading = try await world.whileReading { try await world.apply(plan) }
            #expect(reading.errors.isEmpty, "\(reading.errors)")
            #expect(reading.queries > 0)
            try await Self.verify(world, before: before, keptAfter: Self.original)
            #expect(try await world.connection.scalar(
                Int.self, "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time < '2026-01-01' AND waste_category IS DISTINCT FROM 'UNKNOWN'") == 0)
            #expect(try await world.connection.scalar(
                Int.self, "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time >= '2026-01-01' AND waste_category <> 'UNKNOWN'") > 0)
            // On disk the yearly table has the column last; the views read it by name.
            #expect(try await world.columns("landb.foodlogstats_2025").last == "waste_category")
        }
    }

    @Test("a removed column: gone from the views, then dropped from the yearly tables in a destructive cleanup step")
    func removedColumn() async throws {
        try await ColumnChangeWorld.with("cc_remove") { world in
            let kept = Self.original.filter { $0 != "flags" }
            let before = try await Self.snapshot(world, kept: kept)
            var template = world.foodlogstats
            template.columns.removeAll { $0.name == "flags" }
            template.query = template.query.replacing("    pf.flags,\n", with: "")
            world.foodlogstats = template
            let plan = try await world.plan()
            #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
            let destructive = plan.steps.filter { $0.stepClass == .destructive }
            #expect(destructive.count == world.tenants.count)
            #expect(destructive.allSatisfy { $0.kind == .dropYearlyColumn && $0.phase == .cleanup })
            try await world.apply(plan)
            try await Self.verify(world, before: before, keptAfter: kept)
            #expect(!(try await world.columns("acme.foodlogstats_2025")).contains("flags"))
        }
    }

    /// `weight` renamed to `weight_kg` in the template.
    static func renameWeight(_ world: inout ColumnChangeWorld) {
        var template = world.foodlogstats
        let index = template.columns.firstIndex { $0.name == "weight" }!
        template.columns[index] = Column(name: "weight_kg", type: template.columns[index].type, renamedFrom: "weight")
        world.foodlogstats = template
    }

    /// The original columns after ``renameWeight(_:)``.
    static var renamedWeight: [String] { original.map { $0 == "weight" ? "weight_kg" : $0 } }

    @Test("a view outside warden reading the public view: the rename swap stops before any rename, naming it and the fix; once it is dropped, the next apply completes")
    func outsideReaderBlocksTheSwap() async throws {
        try await ColumnChangeWorld.with("cc_outside") { world in
            try await world.connection.execute("CREATE SCHEMA bi")
            try await world.connection.execute("CREATE VIEW bi.waste AS SELECT tenant, count(*) AS n FROM public.foodlogstats GROUP BY tenant")
            let before = try await Self.snapshot(world, kept: Self.original)
            Self.renameWeight(&world)
            let plan = try await world.plan()
            var message = ""
            do {
                try await world.apply(plan)
                Issue.record("the swap should have stopped on bi.waste")
            } catch {
                message = String(describing: error)
            }
            #expect(message.contains("bi.waste (reads public.foodlogstats)") && message.contains("drop them, apply again"), "\(message)")
            // Nothing was renamed: the public view is the old one, and bi.waste still reads it.
            #expect(try await world.connection.scalar(
                Int.self, "SELECT count(*)::int FROM pg_class WHERE relname LIKE '%\\_\\_retired'") == 0)
            #expect(try await world.connection.scalar(Int.self, "SELECT count(*)::int FROM bi.waste") > 0)
            #expect(try await world.yearlyChecksums(Self.original) == before.yearly)

            try await world.connection.execute("DROP VIEW bi.waste")
            let retry = try await world.plan()
            #expect(retry.notes.contains { $0.contains("reused") }, "the shadows built before the stop are reused: \(retry.notes)")
            try await world.apply(retry)
            try await Self.verify(world, before: before, keptAfter: Self.renamedWeight)
        }
    }

    @Test("a renamed column keeps its history under the new name, with no destructive step")
    func renamedColumn() async throws {
        try await ColumnChangeWorld.with("cc_rename") { world in
            let before = try await Self.snapshot(world, kept: Self.original)
            Self.renameWeight(&world)
            let plan = try await world.plan()
            #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
            #expect(!plan.steps.contains { $0.stepClass == .destructive })
            try await world.apply(plan)
            try await Self.verify(world, before: before, keptAfter: Self.renamedWeight)
        }
    }

    @Test("a retyped column whose values all convert: shadow yearly tables swapped in by rename, every value kept")
    func retypedColumn() async throws {
        try await ColumnChangeWorld.with("cc_retype") { world in
            let asText = Self.original.map { $0 + "::text" }
            let before = try await Self.snapshot(world, kept: asText)
            var template = world.foodlogstats
            let index = template.columns.firstIndex { $0.name == "action_taken_id" }!
            template.columns[index].type = ColumnType(canonical: "bigint")
            world.foodlogstats = template
            let plan = try await world.plan()
            #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
            #expect(plan.steps.first?.kind == .checkConversion)
            // Readers of the public view wait for the renames at most; none fails.
            let reading = try await world.whileReading { try await world.apply(plan) }
            #expect(reading.errors.isEmpty, "no query failed, and none waited over 1 s for a lock: \(reading.errors)")
            #expect(reading.queries > 0)
            try await Self.verify(world, before: before, keptAfter: asText)
            #expect(try await world.connection.scalar(
                String.self, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'bistro.foodlogstats_2025'::regclass AND attname = 'action_taken_id'") == "bigint")
        }
    }

    @Test("a retype with a value that does not convert stops before anything changed, naming the table, column, row and fix")
    func retypeWithFailingValue() async throws {
        try await ColumnChangeWorld.with("cc_badtype") { world in
            let id = try await world.connection.scalar(Int64.self, "SELECT min(id) FROM landb.foodlogstats_2025")
            try await world.connection.execute("UPDATE landb.foodlogstats_2025 SET weight = 12345.678 WHERE id = $1", [id])
            let before = try await world.catalogSnapshot()
            var template = world.foodlogstats
            let index = template.columns.firstIndex { $0.name == "weight" }!
            template.columns[index].type = ColumnType(canonical: "numeric(5,2)")
            world.foodlogstats = template
            let plan = try await world.plan()
            #expect(plan.steps.first?.kind == .checkConversion)
            do {
                try await world.apply(plan)
                Issue.record("the apply should have failed")
            } catch let error as ApplyError {
                let text = error.description
                #expect(text.contains("landb.foodlogstats_2025.weight has values that do not convert to numeric(5,2)"), "\(text)")
                #expect(text.contains("id \(id) value '12345.678'"), "\(text)")
                #expect(text.contains("fix or delete those rows, or keep the old type in git, then apply again"), "\(text)")
                #expect(!text.contains("acme.foodlogstats_2025"), "\(text)")
            }
            #expect(try await world.catalogSnapshot() == before)
        }
    }

    @Test("a changed query with the same columns: every day rebuilt from it and swapped in; yearly tables untouched")
    func queryChanged() async throws {
        try await ColumnChangeWorld.with("cc_query") { world in
            let before = try await Self.snapshot(world, kept: Self.original)
            let yearlyOIDs = try await world.connection.query(
                "SELECT oid::text FROM pg_class WHERE relname = 'foodlogstats_2025' ORDER BY 1").rows.map { $0[0] ?? "" }
            var template = world.foodlogstats
            template.query = template.query.replacing("pl.name AS store", with: "upper(pl.name) AS store")
            world.foodlogstats = template
            let drift = try await world.drift()
            #expect(drift.items.contains { $0.kind == .queryChanged })
            let plan = try await world.plan()
            #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
            #expect(!plan.steps.contains { $0.stepClass == .destructive || $0.kind == .buildShadowYearlyTable })
            try await world.apply(plan)
            try await Self.verify(world, before: before, keptAfter: Self.original)
            #expect(try await world.connection.query(
                "SELECT oid::text FROM pg_class WHERE relname = 'foodlogstats_2025' ORDER BY 1").rows.map { $0[0] ?? "" } == yearlyOIDs)
            #expect(try await world.connection.scalar(
                Int.self, "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time >= '2026-01-01' AND store <> upper(store)") == 0)
        }
    }

    /// Inserted, removed, renamed and retyped at once.
    static func combinedChange(_ world: inout ColumnChangeWorld) {
        var template = world.foodlogstats
        template.columns.insert(Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN"), at: 1)
        template.query = template.query.replacing("    pf.id,\n", with: "    pf.id,\n    pf.waste_category,\n")
        template.columns.removeAll { $0.name == "flags" }
        template.query = template.query.replacing("    pf.flags,\n", with: "")
        let weight = template.columns.firstIndex { $0.name == "weight" }!
        template.columns[weight] = Column(name: "weight_kg", type: template.columns[weight].type, renamedFrom: "weight")
        let action = template.columns.firstIndex { $0.name == "action_taken_id" }!
        template.columns[action].type = ColumnType(canonical: "bigint")
        world.foodlogstats = template
    }

    static let combinedKeptBefore = ["id::text", "store::text", "logged_time::text", "action_taken_id::text", "weight::text"]
    static let combinedKeptAfter = ["id::text", "store::text", "logged_time::text", "action_taken_id::text", "weight_kg::text"]

    /// The relations the swap's rename transaction locks on the server (run, inspected, rolled back), as
    /// OIDs; checks that no daily view is among them, and that views and tables take ACCESS EXCLUSIVE
    /// while indexes take only SHARE UPDATE EXCLUSIVE.
    static func swapLocks(_ world: ColumnChangeWorld, _ swap: PlanStep) async throws -> Set<String> {
        try await world.connection.execute("BEGIN")
        for statement in swap.statements { try await world.connection.execute(statement) }
        let locks = try await world.connection.query(
            """
            SELECT l.relation::text, c.relkind::text, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND n.nspname <> 'pg_catalog'
            """)
        try await world.connection.execute("ROLLBACK")
        let daily = try await world.connection.scalar(Int.self, "SELECT count(*)::int FROM pg_matviews WHERE matviewname LIKE 'foodlogstats%'")
        #expect(daily > 0)
        #expect(!locks.rows.contains { $0[1] == "m" }, "a daily view was locked")
        // Indexes only SHARE UPDATE EXCLUSIVE; every view and table ACCESS EXCLUSIVE (the COMMENT that clears
        // a swapped-in view's stamp adds a weaker lock on a view already held exclusively).
        #expect(locks.rows.allSatisfy { $0[1] != "i" || $0[2] == "ShareUpdateExclusiveLock" })
        let exclusive = Set(locks.rows.filter { $0[2] == "AccessExclusiveLock" }.map { $0[0] ?? "" })
        #expect(locks.rows.allSatisfy { $0[1] == "i" || exclusive.contains($0[0] ?? "") })
        return Set(locks.rows.map { $0[0] ?? "" })
    }

    /// The OIDs of relations named before a swap.
    static func oids(_ world: ColumnChangeWorld, _ names: [String]) async throws -> Set<String> {
        var oids: Set<String> = []
        for name in Set(names) {
            oids.insert(try await world.connection.scalar(String.self, "SELECT to_regclass($1)::oid::text", [name]))
        }
        return oids
    }

    @Test("interrupted after prepare, then before the rename transaction: each fresh plan reuses what is done and converges")
    func interruptedAfterPrepare() async throws {
        try await ColumnChangeWorld.with("cc_after_prepare") { world in
            let before = try await Self.snapshot(world, kept: Self.combinedKeptBefore)
            Self.combinedChange(&world)
            let first = try await world.plan()
            #expect(Self.notPlanned(first).isEmpty, "\(first.notes)")
            try await world.apply(first, phases: [.prepare])

            let second = try await world.plan()
            #expect(Self.notPlanned(second).isEmpty, "\(second.notes)")
            let builds: Set<PlanStep.Kind> = [.buildShadowDailyView, .buildShadowYearlyTable, .buildDailyView, .checkConversion]
            #expect(!second.steps.contains { builds.contains($0.kind) }, "\(second.text())")
            #expect(second.notes.contains { $0.contains("are reused") })
            let swap = try #require(second.steps.first { $0.kind == .renameSwap })

            // Interrupted again just before the rename transaction: yearly columns added, shadow views built.
            let upToRenames = Plan(
                steps: second.steps.filter { $0.id < swap.id }, revision: second.revision, asOf: second.asOf,
                strategy: second.strategy, notes: [])
            try await world.apply(upToRenames)
            // The renames lock exactly the relations they name: views, yearly tables, their indexes.
            #expect(try await Self.swapLocks(world, swap) == Self.oids(world, swap.targets))

            let third = try await world.plan()
            #expect(Self.notPlanned(third).isEmpty, "\(third.notes)")
            #expect(third.steps.first?.kind == .dropLeftover, "\(third.text())")
            #expect(!third.steps.contains { $0.kind == .addYearlyColumn || builds.contains($0.kind) })
            try await world.apply(third)
            try await Self.verify(world, before: before, keptAfter: Self.combinedKeptAfter)
        }
    }

    @Test("interrupted after the swap: a fresh plan is cleanup only and converges")
    func interruptedAfterSwap() async throws {
        try await ColumnChangeWorld.with("cc_after_swap") { world in
            let before = try await Self.snapshot(world, kept: Self.combinedKeptBefore)
            Self.combinedChange(&world)
            let first = try await world.plan()
            #expect(Self.notPlanned(first).isEmpty, "\(first.notes)")
            try await world.apply(first, phases: [.prepare, .swap])
            // Readers already see the new columns for every tenant.
            #expect(try await world.columns("public.foodlogstats") == ["tenant"] + world.foodlogstats.columns.map(\.name))
            #expect(try await world.publicRows() == before.publicRows)

            let second = try await world.plan()
            #expect(Self.notPlanned(second).isEmpty, "\(second.notes)")
            #expect(!second.steps.isEmpty)
            #expect(second.steps.allSatisfy { $0.phase == .cleanup }, "\(second.text())")
            let firstCleanup = Set(first.steps(in: .cleanup).flatMap(\.statements))
            #expect(Set(second.steps.flatMap(\.statements)) == firstCleanup)
            try await world.apply(second)
            try await Self.verify(world, before: before, keptAfter: Self.combinedKeptAfter)
        }
    }
}
