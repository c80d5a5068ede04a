import Foundation
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// Issue 4's bar for the column rows of DESIGN.md §5: after each change, the reconciled warehouse equals
/// one built from scratch at the same desired state, as warden's own catalog reader sees both. One
/// warehouse goes through every change in turn (appended, inserted, renamed, retyped and removed
/// columns, a changed query); after each, a fresh empty warehouse is bootstrapped at that state and
/// the two are compared.
@Suite("Column changes: the reconciled warehouse equals one built from scratch", .integration, .hangGuard)
struct ColumnChangeScratchTests {
    /// Rewrites the foodlogstats template: its columns (YAML flow mappings, in order) and its SELECT list.
    static let indexes = ["{ columns: [id], unique: true }", "{ columns: [logged_time] }", "{ columns: [store] }"]
    static let columns = [
        "{ name: id, type: bigint }", "{ name: store, type: text }", "{ name: logged_time, type: timestamptz }",
        "{ name: action_taken_id, type: integer }", "{ name: flags, type: text }", "{ name: weight, type: \"numeric(10,3)\" }",
    ]
    static let select = ["pf.id", "pl.name AS store", "pf.logged_time", "pa.id AS action_taken_id", "pf.flags", "pf.weight"]

    static func foodlogstats(
        _ world: LifecycleWorld, columns: [String], select: [String], indexes: [String] = ColumnChangeScratchTests.indexes
    ) throws {
        let templates = world.folder.path + "/templates/"
        let yaml = """
            apiVersion: warden/v1
            kind: Template
            name: foodlogstats
            description: Daily food log statistics
            query: foodlogstats.sql
            columns:
            \(columns.map { "  - " + $0 }.joined(separator: "\n"))
            indexes:
            \(indexes.map { "  - " + $0 }.joined(separator: "\n"))

            """
        try yaml.write(toFile: templates + "foodlogstats.yaml", atomically: true, encoding: .utf8)
        let sql = """
            SELECT
                \(select.joined(separator: ",\n    "))
            FROM phood_foodlogsum pf
            JOIN phood_location pl ON pl.id = pf.location_id
            JOIN phood_action pa ON pa.id = pf.action_taken_id
            WHERE pf.logged_time >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ
              AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'

            """
        try sql.write(toFile: templates + "foodlogstats.sql", atomically: true, encoding: .utf8)
    }

    @Test("appended, inserted, renamed, retyped, removed columns and a changed query: each time the same as from scratch")
    func eachChangeEqualsScratch() async throws {
        let asOf = Day("2026-01-05")!
        try await LifecycleWorld.with(
            "colscratch", tenants: ["landb", "acme"], firstYear: 2025, sourcesThrough: PostgresDate(year: 2026, month: 1, day: 5)
        ) { world in
            try world.desire(tenants: ["landb", "acme"], firstYear: 2025)
            var columns = Self.columns
            var select = Self.select
            try Self.foodlogstats(world, columns: columns, select: select)
            let reconciled = try await world.emptyWarehouse("a")
            try await world.apply(reconciled, asOf: asOf)
            #expect(try await world.drift(reconciled, asOf: asOf) == [])

            let changes: [(String, () -> Void)] = [
                ("appended waste_category", {
                    columns.append("{ name: waste_category, type: text, default: UNKNOWN }")
                    select.append("pf.waste_category")
                }),
                ("inserted store_upper after store", {
                    columns.insert("{ name: store_upper, type: text, default: '' }", at: 2)
                    select.insert("upper(pl.name) AS store_upper", at: 2)
                }),
                ("renamed weight to weight_kg", {
                    columns[6] = "{ name: weight_kg, type: \"numeric(10,3)\", renamedFrom: weight }"
                    select[6] = "pf.weight AS weight_kg"
                }),
                ("retyped action_taken_id to bigint", {
                    columns[4] = "{ name: action_taken_id, type: bigint }"
                }),
                ("removed flags", {
                    columns.remove(at: 5)
                    select.remove(at: 5)
                }),
                ("changed query: store trimmed", {
                    select[1] = "trim(pl.name) AS store"
                }),
            ]
            for (index, (label, change)) in changes.enumerated() {
                change()
                try Self.foodlogstats(world, columns: columns, select: select)
                let plan = try await world.plan(reconciled, asOf: asOf)
                #expect(TenantLifecycleTests.unplanned(plan).isEmpty, "\(label): \(plan.notes)")
                #expect(!plan.steps.isEmpty, "\(label): nothing planned")
                try await world.run(plan, on: reconciled)
                #expect(try await world.drift(reconciled, asOf: asOf) == [], "\(label)")
                let scratch = try await world.emptyWarehouse("s\(index)")
                try await world.apply(scratch, asOf: asOf)
                let differences = try await world.differences(reconciled, scratch)
                #expect(differences == [], "\(label): \(differences.joined(separator: "\n"))")
            }
        }
    }

    /// How far the interrupted rename swap got before the year turned.
    enum SwapStop: String, CaseIterable, Sendable {
        /// Shadows built, the swap waiting for its window: nobody reads the shadows yet.
        case afterPrepare
        /// Swapped, cleanup not run: the live views read the shadows of the year that rolls.
        case afterSwap

        var phases: Set<PlanStep.Phase> { self == .afterPrepare ? [.prepare] : [.prepare, .swap] }
    }

    /// The change under way when the year turns.
    enum SwapChange: String, CaseIterable, Sendable {
        /// A column inserted in the middle and one removed: the rename swap.
        case insertedAndRemoved
        /// Seed 000's column appended at the end: the per-tenant replace swap.
        case appended
    }

    @Test("a year rollover while a column change is unfinished: the next plan finishes both, the same as from scratch",
          arguments: SwapStop.allCases, SwapChange.allCases)
    func rolloverDuringUnfinishedSwap(_ stop: SwapStop, _ kind: SwapChange) async throws {
        let before = Day("2025-01-05")!
        let after = Day("2026-01-03")!
        try await LifecycleWorld.with(
            "swaproll_\(stop == .afterPrepare ? "p" : "s")\(kind == .appended ? "a" : "i")", tenants: ["landb"], firstYear: 2025, sourcesThrough: PostgresDate(year: 2026, month: 1, day: 3)
        ) { world in
            try world.desire(tenants: ["landb"], firstYear: 2025)
            var columns = Self.columns
            var select = Self.select
            try Self.foodlogstats(world, columns: columns, select: select)
            let reconciled = try await world.emptyWarehouse("a")
            try await world.apply(reconciled, asOf: before)

            // The change; only the phases up to `stop` run (the window closed).
            switch kind {
            case .insertedAndRemoved:
                columns.insert("{ name: store_upper, type: text, default: '' }", at: 2)
                select.insert("upper(pl.name) AS store_upper", at: 2)
                #expect(columns[5].contains("flags") && select[5] == "pf.flags")
                columns.remove(at: 5)
                select.remove(at: 5)
            case .appended:
                columns.append("{ name: store_upper, type: text, default: '' }")
                select.append("upper(pl.name) AS store_upper")
            }
            try Self.foodlogstats(world, columns: columns, select: select)
            let change = try await world.plan(reconciled, asOf: before)
            #expect(change.steps.contains { $0.kind == (kind == .appended ? .replaceTenantView : .renameSwap) }, "\(change.steps.map(\.kind))")
            var interrupted = change
            interrupted.steps = change.steps.filter { stop.phases.contains($0.phase) }
            try await world.run(interrupted, on: reconciled)
            let warehouse = try await PostgresConnection.connect(reconciled)
            let shadows = try await warehouse.scalar(
                Int.self, "SELECT count(*)::int FROM pg_matviews WHERE matviewname LIKE '%\\_\\_shadow'")
            #expect(shadows > 0)

            // A year later, with those shadows still there: 2025 rolls into a yearly table with the new
            // column layout, the swap completes, nothing is left over.
            let next = try await world.plan(reconciled, asOf: after)
            #expect(TenantLifecycleTests.unplanned(next).isEmpty, "\(next.notes)")
            // The yearly table copies the shadows the column change built, not the old days' rows.
            let yearlyLoad = next.steps.first { $0.kind == .buildYearlyTable && $0.targets == ["landb.foodlogstats_2025"] }
            #expect(yearlyLoad?.statements.joined().contains("landb.foodlogstats_2025_01_01__shadow") == true,
                    "\(yearlyLoad?.statements.prefix(3) ?? [])")
            try await world.run(next, on: reconciled)
            #expect(try await world.drift(reconciled, asOf: after) == [])
            #expect(try await warehouse.scalar(
                Int.self, "SELECT count(*)::int FROM pg_class WHERE relname LIKE '%\\_\\_shadow' OR relname LIKE '%\\_\\_retired'") == 0)
            let yearly = try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM landb.foodlogstats_2025")
            #expect(try await world.sourceRows("landb", from: "2025-01-01", to: "2026-01-01", through: reconciled) == yearly)
            await warehouse.close()

            let scratch = try await world.emptyWarehouse("s")
            try await world.apply(scratch, asOf: after)
            let differences = try await world.differences(reconciled, scratch)
            #expect(differences == [], "\(differences.joined(separator: "\n"))")
        }
    }

    @Test("a missing day, an index added and removed, grant drift: each time the same as from scratch")
    func otherRowsEqualScratch() async throws {
        try await LifecycleWorld.with(
            "rowscratch", tenants: ["landb", "acme"], firstYear: 2025, sourcesThrough: PostgresDate(year: 2026, month: 1, day: 5)
        ) { world in
            try world.desire(tenants: ["landb", "acme"], firstYear: 2025)
            try Self.foodlogstats(world, columns: Self.columns, select: Self.select)
            let reconciled = try await world.emptyWarehouse("a")
            try await world.apply(reconciled, asOf: Day("2026-01-04")!)
            let asOf = Day("2026-01-05")!
            var scratchCount = 0
            /// `kinds`: the only step kinds the plan may hold (the minimal reconstruction of that change).
            func reconcileAndCompare(_ label: String, kinds: Set<PlanStep.Kind>) async throws {
                let plan = try await world.plan(reconciled, asOf: asOf)
                #expect(TenantLifecycleTests.unplanned(plan).isEmpty, "\(label): \(plan.notes)")
                #expect(!plan.steps.isEmpty, "\(label): nothing planned")
                let extra = Set(plan.steps.map(\.kind)).subtracting(kinds)
                #expect(extra.isEmpty, "\(label): more than the minimal reconstruction: \(extra.map(\.rawValue).sorted())")
                try await world.run(plan, on: reconciled)
                #expect(try await world.drift(reconciled, asOf: asOf) == [], "\(label)")
                scratchCount += 1
                let scratch = try await world.emptyWarehouse("s\(scratchCount)")
                try await world.apply(scratch, asOf: asOf)
                let differences = try await world.differences(reconciled, scratch)
                #expect(differences == [], "\(label): \(differences.joined(separator: "\n"))")
            }
            // A day later: 2026-01-04's daily views are missing.
            try await reconcileAndCompare("missing day 2026-01-04", kinds: [.buildDailyView, .replaceTenantView])
            try Self.foodlogstats(world, columns: Self.columns, select: Self.select, indexes: Self.indexes + ["{ columns: [action_taken_id] }"])
            try await reconcileAndCompare("index on action_taken_id added", kinds: [.createIndex, .updateRegistry])
            try Self.foodlogstats(world, columns: Self.columns, select: Self.select, indexes: Array(Self.indexes.prefix(2)))
            try await reconcileAndCompare("indexes on action_taken_id and store removed", kinds: [.dropIndex, .updateRegistry])
            let warehouse = try await PostgresConnection.connect(reconciled)
            try await warehouse.execute("REVOKE SELECT ON public.foodlogstats FROM analysts")
            try await warehouse.execute("GRANT SELECT ON landb.foodlogstats TO analysts")
            await warehouse.close()
            try await reconcileAndCompare("grant revoked on the public view, an extra grant on a tenant view", kinds: [.grant, .revoke])
        }
    }
}
