import WarehouseFixtures
import Drift
import Foundation
import Planner
import Testing
import WardenModel

@Suite("Planner")
struct PlannerTests {
    let landbDay3 = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_03")

    /// The fixture with one daily view dropped and taken out of its tenant view.
    func missingDay(_ fixture: inout WarehouseFixture, _ name: QualifiedName) {
        fixture.live.relations[name] = nil
        let view = QualifiedName(schema: name.schema, name: "foodlogstats")
        fixture.live.relations[view]!.dependsOn.removeAll { $0 == name }
    }

    @Test("a warehouse in sync plans nothing")
    func inSync() {
        let plan = WarehouseFixture().plan()
        #expect(plan.steps.isEmpty)
        #expect(plan.notes.isEmpty)
        #expect(plan.summary.risk == .low)
        #expect(plan.text().contains("nothing to do"))
    }

    @Test("one missing day is one build and one tenant-view replace, nothing else")
    func oneMissingDay() throws {
        var fixture = WarehouseFixture()
        missingDay(&fixture, landbDay3)
        let plan = fixture.plan()
        #expect(plan.steps.map(\.kind) == [.buildDailyView, .replaceTenantView])
        #expect(plan.notes.isEmpty, "\(plan.notes)")
        let build = plan.steps[0]
        #expect(build.phase == .prepare && build.stepClass == .online && build.tenant == "landb")
        #expect(build.targets == ["landb.foodlogstats_2026_01_03"])
        let spec = fixture.desired.templates[0].dailyViewSpecHash(day: Day("2026-01-03")!, connection: "landb-prod")
        #expect(build.stamp == ObjectStamp(specHash: spec, revision: "abc123"))
        #expect(build.statements == [
            "CREATE MATERIALIZED VIEW landb.foodlogstats_2026_01_03 AS SELECT * FROM dblink('landb-prod', $q$SELECT pf.id, pl.name AS store, pf.weight\nFROM phood_foodlogsum pf JOIN phood_location pl ON pl.id = pf.location_id\nWHERE pf.logged_time >= '2026-01-03 00:00:00+00'::TIMESTAMPTZ$q$) AS t(id bigint, store text, weight numeric(10,3))",
            "CREATE UNIQUE INDEX idx_landb_foodlogstats_2026_01_03_id ON landb.foodlogstats_2026_01_03 (id)",
            "CREATE INDEX idx_landb_foodlogstats_2026_01_03_store ON landb.foodlogstats_2026_01_03 (store)",
            "COMMENT ON MATERIALIZED VIEW landb.foodlogstats_2026_01_03 IS 'warden: spec=\(spec) revision=abc123'",
        ])
        let swap = plan.steps[1]
        #expect(swap.phase == .swap && swap.stepClass == .briefLock && swap.touchesLiveObjects)
        #expect(swap.statements == [
            """
            CREATE OR REPLACE VIEW landb.foodlogstats AS
            SELECT id, store, weight FROM landb.foodlogstats_2025
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_01
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_02
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_03
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_04
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_05
            """,
        ])
        // Nothing for the other tenant.
        #expect(plan.steps.allSatisfy { $0.tenant == "landb" })
        #expect(!plan.text().contains("acme"))
    }

    @Test("the seed's appended column: shadows, per-tenant swaps, one public view, cleanup, registry")
    func appendedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let plan = fixture.plan()
        #expect(plan.notes.allSatisfy { !$0.hasPrefix("not planned yet") }, "\(plan.notes)")

        // prepare: a shadow for every tenant × current-year day, nothing else.
        let prepare = plan.steps(in: .prepare)
        #expect(prepare.count == 2 * 5)
        #expect(prepare.allSatisfy { $0.kind == .buildShadowDailyView && $0.stepClass == .online && $0.stamp != nil })
        #expect(Set(prepare.flatMap(\.targets)).contains("acme.foodlogstats_2026_01_05__shadow"))
        let shadow = try #require(prepare.first { $0.targets == ["landb.foodlogstats_2026_01_01__shadow"] })
        #expect(shadow.statements[0].hasSuffix("AS t(id bigint, store text, weight numeric(10,3), waste_category text)"))
        #expect(shadow.statements[1] == "CREATE UNIQUE INDEX idx_landb_foodlogstats_2026_01_01__shadow_id ON landb.foodlogstats_2026_01_01__shadow (id)")

        // swap: one transaction per tenant, then the public view, then the registry.
        let swap = plan.steps(in: .swap)
        #expect(swap.map(\.kind) == [.replaceTenantView, .replaceTenantView, .replacePublicView, .updateRegistry])
        #expect(swap.prefix(2).map(\.tenant) == ["landb", "acme"])
        let landb = swap[0]
        #expect(landb.transactional && landb.touchesLiveObjects && landb.stepClass == .briefLock)
        // The tenant view first, as readers lock it (SwapLockOrderTests shows the deadlock otherwise).
        #expect(landb.statements[0] == "LOCK TABLE landb.foodlogstats IN ACCESS EXCLUSIVE MODE")
        #expect(landb.statements[1] == "ALTER TABLE landb.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'")
        #expect(landb.statements[2].hasPrefix("""
            CREATE OR REPLACE VIEW landb.foodlogstats AS
            SELECT id, store, weight, waste_category FROM landb.foodlogstats_2025
            UNION ALL
            SELECT id, store, weight, waste_category FROM landb.foodlogstats_2026_01_01__shadow
            """))
        #expect(!landb.statements[2].contains("acme"))
        #expect(swap[2].statements == [
            """
            CREATE OR REPLACE VIEW public.foodlogstats AS
            SELECT 'acme'::text AS tenant, id, store, weight, waste_category FROM acme.foodlogstats
            UNION ALL
            SELECT 'landb'::text AS tenant, id, store, weight, waste_category FROM landb.foodlogstats
            """,
        ])
        #expect(swap[3].statements[0].contains("ON CONFLICT (template_name) DO UPDATE"))
        #expect(swap[3].statements[0].contains("'id bigint, store text, weight numeric(10,3), waste_category text'"))
        #expect(swap[3].statements[0].contains("CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_id ON {SCHEMA}.{VIEW_NAME} (id);"))

        // cleanup: one transaction per tenant: drop its old daily views, then rename its shadows and indexes.
        let cleanup = plan.steps(in: .cleanup)
        #expect(cleanup.count == 2)
        #expect(cleanup.allSatisfy { $0.stepClass == .online && $0.kind == .renameShadow })
        #expect(cleanup.map(\.tenant) == ["landb", "acme"])
        #expect(cleanup[0].statements.count == 5 + 5 * 3)
        #expect(Array(cleanup[0].statements.prefix(5)) == (1...5).map { "DROP MATERIALIZED VIEW IF EXISTS landb.foodlogstats_2026_01_0\($0)" })
        #expect(Array(cleanup[0].statements[5...7]) == [
            "ALTER MATERIALIZED VIEW landb.foodlogstats_2026_01_01__shadow RENAME TO foodlogstats_2026_01_01",
            "ALTER INDEX landb.idx_landb_foodlogstats_2026_01_01__shadow_id RENAME TO idx_landb_foodlogstats_2026_01_01_id",
            "ALTER INDEX landb.idx_landb_foodlogstats_2026_01_01__shadow_store RENAME TO idx_landb_foodlogstats_2026_01_01_store",
        ])
        #expect(cleanup[0].transactional && cleanup[0].touchesLiveObjects && !cleanup[0].reversible)
        #expect(plan.notes.contains { $0.contains("keeps the grants") })
        #expect(plan.summary.risk == .low)
        #expect(plan.summary.stepsByPhase == ["prepare": 10, "swap": 4, "cleanup": 2])
        #expect(plan.summary.publicViewLockSeconds > 0)
    }

    @Test("live sizes give the shadows' extra disk")
    func extraDisk() {
        var fixture = WarehouseFixture()
        for (name, relation) in fixture.live.relations where relation.kind == .materializedView {
            fixture.live.relations[name]!.sizeBytes = 1_000_000
        }
        fixture.appendWasteCategory()
        let plan = fixture.plan()
        #expect(plan.summary.extraDiskBytes == 10_000_000)
        #expect(plan.summary.estimatedSeconds != nil)
    }

    @Test("a live shadow with the matching stamp is reused, not rebuilt")
    func reusesFinishedShadow() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let template = fixture.desired.templates[0]
        let day = Day("2026-01-02")!
        let shadow = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_02__shadow")
        var relation = WarehouseFixture.dailyView(template, name: shadow, day: day, connection: "landb-prod")
        relation.comment = ObjectStamp(specHash: template.dailyViewSpecHash(day: day, connection: "landb-prod"), revision: "abc123").description
        fixture.live.relations[shadow] = relation
        let plan = fixture.plan()
        #expect(plan.steps(in: .prepare).count == 9)
        #expect(!plan.steps(in: .prepare).contains { $0.targets.contains(shadow.description) })
        #expect(plan.steps(in: .swap)[0].statements.last!.contains("FROM landb.foodlogstats_2026_01_02__shadow"))
        #expect(plan.steps(in: .cleanup).contains { $0.kind == .renameShadow && $0.targets.contains(shadow.description) })
        #expect(plan.notes.contains { $0.contains("1 shadow daily view(s)") })
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")

        // A shadow from another spec is dropped and rebuilt.
        fixture.live.relations[shadow]!.comment = ObjectStamp(specHash: "0000000000000000").description
        let rebuilt = try #require(fixture.plan().steps.first { $0.targets == [shadow.description] })
        #expect(rebuilt.statements[0] == "DROP MATERIALIZED VIEW IF EXISTS landb.foodlogstats_2026_01_02__shadow")
    }

    @Test("a change to one template plans nothing for another")
    func otherTemplatesUntouched() {
        var fixture = WarehouseFixture()
        fixture.desired.templates.append(Template(
            name: "wastestats", description: "Waste", query: "SELECT id, kind FROM waste WHERE day = '{TARGET_DATE}'",
            columns: [Column(name: "id", type: ColumnType("bigint")!), Column(name: "kind", type: ColumnType("text")!)],
            indexes: [IndexSpec(columns: ["id"], unique: true)]))
        fixture.build()
        #expect(fixture.plan().steps.isEmpty)
        fixture.appendWasteCategory()
        let plan = fixture.plan()
        #expect(!plan.steps.isEmpty)
        #expect(plan.steps.allSatisfy { $0.template == "foodlogstats" })
        #expect(!plan.steps.flatMap(\.statements).contains { $0.contains("wastestats") })
    }

    @Test("an added index is CREATE INDEX CONCURRENTLY on every object, outside transactions")
    func indexAdded() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].indexes.append(IndexSpec(columns: ["weight"]))
        let plan = fixture.plan()
        let creates = plan.steps.filter { $0.kind == .createIndex }
        #expect(creates.count == 2 * (5 + 1))
        #expect(creates.allSatisfy { !$0.transactional && $0.stepClass == .online && $0.phase == .prepare })
        #expect(creates.contains { $0.statements == ["CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_landb_foodlogstats_2025_weight ON landb.foodlogstats_2025 (weight)"] })
        #expect(plan.steps.filter { $0.kind == .updateRegistry }.count == 1)
        #expect(plan.steps.count == creates.count + 1)

        var removed = WarehouseFixture()
        removed.desired.templates[0].indexes.removeAll { $0.columns == ["store"] }
        let drops = removed.plan().steps.filter { $0.kind == .dropIndex }
        #expect(drops.count == 12)
        #expect(drops.contains { $0.statements == ["DROP INDEX CONCURRENTLY IF EXISTS acme.idx_acme_foodlogstats_2025_store"] })
        #expect(drops.allSatisfy { !$0.transactional })
    }

    @Test("grant drift becomes GRANT and REVOKE on that view only")
    func grants() {
        var fixture = WarehouseFixture()
        fixture.live.relations[QualifiedName(schema: "public", name: "foodlogstats")]!.privileges = ["intern": ["SELECT"]]
        let plan = fixture.plan()
        #expect(plan.steps.map(\.kind) == [.grant, .revoke])
        #expect(plan.steps.flatMap(\.statements) == [
            "GRANT SELECT ON public.foodlogstats TO analysts", "REVOKE SELECT ON public.foodlogstats FROM intern",
        ])
        #expect(plan.steps.allSatisfy { $0.stepClass == .online })
    }

    @Test("hostile identifiers and values are quoted")
    func hostileNames() throws {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants[1] = Tenant(schema: "Acme X\"; DROP", connection: "o'brien")
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        missingDay(&fixture, QualifiedName(schema: "Acme X\"; DROP", name: "foodlogstats_2026_01_03"))
        fixture.desired.templates[0].columns.append(Column(name: "order", type: ColumnType("text")!, defaultValue: "it's"))
        let plan = fixture.plan()
        let statements = plan.steps.flatMap(\.statements)
        #expect(statements.contains { $0.contains("dblink('o''brien', $q$") })
        #expect(statements.contains("ALTER TABLE \"Acme X\"\"; DROP\".foodlogstats_2025 ADD COLUMN \"order\" text DEFAULT 'it''s'"))
        #expect(statements.contains { $0.hasPrefix("CREATE UNIQUE INDEX \"idx_Acme X\"\"; DROP_foodlogstats_2026_01_01__shadow_id\" ON ") })
        #expect(statements.contains { $0.contains("SELECT 'Acme X\"; DROP'::text AS tenant, id, store, weight, \"order\" FROM \"Acme X\"\"; DROP\".foodlogstats") })
    }

    @Test("drift the planner does not handle yet is a note, never dropped")
    func unhandledKindsAreNotes() {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants.append(Tenant(schema: "bistro", connection: "bistro-prod"))
        fixture.desired.templates[0].columns.remove(at: 1)
        fixture.desired.templates[0].indexes = [IndexSpec(columns: ["id"], unique: true)]
        let plan = fixture.plan()
        #expect(plan.notes.contains { $0.hasPrefix("not planned yet: tenant.missing bistro") })
        #expect(plan.notes.contains { $0.hasPrefix("not planned yet: connection.missing bistro-prod") })
        // A removed column is planned by rename swap under shadow-swap, by the seed's procedure under
        // rebuild (RebuildPlannerTests); neither leaves it as a note.
        let removal = fixture.plan(policy: Policy(strategy: .rebuild))
        #expect(!removal.notes.contains { $0.hasPrefix("not planned yet: template.column.removed") })
        #expect(removal.steps.contains { $0.kind == .dropForRebuild })
        #expect(!removal.steps.contains { $0.kind == .buildShadowDailyView })
    }

    @Test("plans are deterministic and their JSON has stable keys")
    func json() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let first = fixture.plan()
        #expect(first == fixture.plan())
        #expect(first.json() == fixture.plan().json())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["version", "revision", "asOf", "strategy", "notes", "summary", "when", "destructiveChanges", "unplanned", "prepared", "asOfRegression", "steps", "routine"])
        // The planner does not know the windows: `when` is null until the scheduler fills it in.
        #expect(object["when"] is NSNull)
        #expect(object["strategy"] as? String == "shadow-swap")
        let steps = try #require(object["steps"] as? [[String: Any]])
        for step in steps {
            #expect(Set(step.keys) == [
                "id", "phase", "kind", "class", "template", "tenant", "targets", "statements", "undo", "transactional",
                "touchesLiveObjects", "estimateBytes", "estimateSeconds", "reversible", "stamp", "sourceConnection", "work",
            ])
            #expect(step["work"] as? String == "change")
        }
        #expect(steps.first?["class"] as? String == "online")
        #expect(steps.contains { $0["class"] as? String == "brief-lock" })
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(first.json().utf8))
        #expect(decoded == first)
    }

    @Test("the migration file follows seed 002's layout")
    func migrationFile() throws {
        var fixture = WarehouseFixture()
        missingDay(&fixture, landbDay3)
        let file = fixture.plan().migrationFile(
            name: "Rebuild missing day", timestamp: MigrationTimestamp(day: Day("2026-01-06")!, hour: 14, minute: 30, second: 0))
        #expect(file.fileName == "20260106_143000_rebuild_missing_day.sql")
        let text = file.contents
        for line in [
            "-- MIGRATION: Rebuild missing day", "-- Version: v20260106_143000", "-- Author: warden (revision abc123)",
            "-- Risk Assessment: low", "-- Estimated Duration:", "-- UP MIGRATION", "-- DOWN MIGRATION (ROLLBACK)",
        ] {
            #expect(text.contains(line), "\(line)")
        }
        let up = try #require(text.range(of: "-- UP MIGRATION"))
        let down = try #require(text.range(of: "-- DOWN MIGRATION (ROLLBACK)"))
        #expect(up.upperBound < down.lowerBound)
        let downText = String(text[down.upperBound...])
        #expect(downText.contains("/*") && downText.hasSuffix("*/\n"))
        #expect(downText.contains("DROP MATERIALIZED VIEW IF EXISTS landb.foodlogstats_2026_01_03;"))
        #expect(String(text[up.upperBound..<down.lowerBound]).contains("SET LOCAL lock_timeout = '50ms';"))
    }

    @Test("the text rendering leads with a summary per phase; --sql adds every step with its classes and SQL")
    func text() {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let summary = fixture.plan().text()
        #expect(summary.hasPrefix("plan as of 2026-01-06 at abc123 · strategy shadow-swap · risk low\n16 steps: prepare 10, swap 4, cleanup 2"))
        #expect(summary.contains("  [1–10]  10 × build shadow daily view · foodlogstats · 2 tenants (acme, landb) · 2026-01-01…2026-01-05 · online"), "\(summary)")
        #expect(!summary.contains("ALTER TABLE"))
        #expect(!summary.contains("== prepare =="))
        let text = fixture.plan().text(sql: true)
        #expect(text.hasPrefix(summary.components(separatedBy: "\n(each step with its SQL")[0]))
        #expect(text.contains("== prepare =="))
        #expect(text.contains("== swap =="))
        #expect(text.contains("== cleanup =="))
        #expect(text.contains("brief-lock  replaceTenantView  landb.foodlogstats_2025, landb.foodlogstats"))
        #expect(text.contains("      ALTER TABLE landb.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'"))
    }
}

@Test("the DOWN section names the steps it cannot undo")
func downSectionNamesIrreversibleSteps() {
    var fixture = WarehouseFixture()
    fixture.appendWasteCategory()
    let contents = fixture.plan().migrationFile(name: "add waste_category", timestamp: MigrationTimestamp(day: Day("2026-01-06")!)).contents
    #expect(contents.contains("-- Step 13 (replacePublicView public.foodlogstats) cannot be undone automatically;"))
}

@Test("cleanup batches: one transaction per tenant and at most N days, drops before renames, days in order")
func cleanupBatches() {
    func drop(_ tenant: String, _ day: Int) -> PlanStep {
        PlanStep(phase: .cleanup, kind: .dropDailyView, stepClass: .online, template: "t", tenant: tenant,
                 targets: ["\(tenant).d\(day)"], statements: ["DROP \(tenant).d\(day)"], estimateSeconds: 0.01)
    }
    func rename(_ tenant: String, _ day: Int) -> PlanStep {
        PlanStep(phase: .cleanup, kind: .renameShadow, stepClass: .online, template: "t", tenant: tenant,
                 targets: ["\(tenant).d\(day)__shadow"], statements: ["RENAME \(tenant).d\(day)"],
                 undo: ["UNDO \(tenant).d\(day)"], touchesLiveObjects: true, estimateSeconds: 0.01, reversible: true)
    }
    var steps: [PlanStep] = []
    for day in 1...5 { steps += [drop("a", day), rename("a", day)] }
    steps.append(drop("b", 1))   // a stale shadow only: a drop without a rename
    for day in 1...2 { steps += [drop("b", day + 1), rename("b", day + 1)] }
    let batches = PlanStep.batchedDayCleanup(steps, daysPerStep: 2)
    #expect(batches.map(\.tenant) == ["a", "a", "a", "b", "b"])
    #expect(batches[0].statements == ["DROP a.d1", "DROP a.d2", "RENAME a.d1", "RENAME a.d2"])
    #expect(batches[2].statements == ["DROP a.d5", "RENAME a.d5"])
    #expect(batches[3].statements == ["DROP b.d1", "DROP b.d2", "RENAME b.d2"])
    #expect(batches[4].statements == ["DROP b.d3", "RENAME b.d3"])
    #expect(batches.allSatisfy { $0.touchesLiveObjects && $0.kind == .renameShadow && !$0.reversible })
    // Renames only: the undo runs in reverse.
    let renamesOnly = PlanStep.batchedDayCleanup([rename("a", 1), rename("a", 2)], daysPerStep: 50)
    #expect(renamesOnly.count == 1 && renamesOnly[0].reversible && renamesOnly[0].undo == ["UNDO a.d2", "UNDO a.d1"])
    // Every statement kept exactly once.
    #expect(batches.flatMap(\.statements).sorted() == steps.flatMap(\.statements).sorted())
}
