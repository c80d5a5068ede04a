import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// Column changes other than an append, and query changes, planned by rename swap: steps, classes,
/// phases, and only the affected template touched.
@Suite("Planner: column changes by rename swap")
struct ColumnChangePlannerTests {
    /// `waste_category text DEFAULT 'UNKNOWN'` between `store` and `weight`.
    static func insertWasteCategory(_ fixture: inout WarehouseFixture) {
        fixture.desired.templates[0].columns.insert(
            Column(name: "waste_category", type: ColumnType("text")!, defaultValue: "UNKNOWN"), at: 2)
        fixture.desired.templates[0].query = fixture.desired.templates[0].query.replacing("pf.weight\n", with: "pf.waste_category, pf.weight\n")
    }

    static func retypeWeight(_ fixture: inout WarehouseFixture) {
        let weight = fixture.desired.templates[0].columns.firstIndex { $0.name == "weight" }!
        fixture.desired.templates[0].columns[weight].type = ColumnType("numeric(12,3)")!
    }

    static func kinds(_ steps: [PlanStep]) -> [PlanStep.Kind] { steps.map(\.kind) }

    /// The relations a swap statement locks: the one after `ALTER VIEW|TABLE|INDEX`.
    /// The relations a swap's statements name, after its first statement: the check for views outside
    /// warden, which reads the catalog and locks nothing.
    static func lockedRelations(_ step: PlanStep) -> Set<String> {
        Set(renames(step).map { String($0.split(separator: " ")[$0.hasPrefix("COMMENT ON ") ? 3 : 2]) })
    }

    /// A rename swap's statements after its check for views outside warden (which must come first).
    static func renames(_ step: PlanStep) -> [String] {
        #expect(step.statements.first?.hasPrefix("DO $warden$") == true, "\(step.statements.first ?? "")")
        return Array(step.statements.dropFirst())
    }

    @Test("an inserted column: shadows, ADD COLUMN on yearly tables, shadow views, one rename-only swap, cleanup")
    func insertedColumn() throws {
        var fixture = WarehouseFixture()
        Self.insertWasteCategory(&fixture)
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")

        let prepare = plan.steps(in: .prepare)
        #expect(prepare.count == 2 * 5)
        #expect(prepare.allSatisfy { $0.kind == .buildShadowDailyView && $0.stepClass == .online && $0.stamp != nil })

        let swap = plan.steps(in: .swap)
        #expect(Self.kinds(swap) == [.addYearlyColumn, .addYearlyColumn, .buildShadowView, .buildShadowView, .buildShadowView, .renameSwap, .updateRegistry])
        let add = swap[0]
        #expect(add.tenant == "landb" && add.stepClass == .briefLock && add.touchesLiveObjects && !add.transactional)
        #expect(add.statements == ["ALTER TABLE landb.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'"])

        let landb = swap[2]
        #expect(landb.stepClass == .online && landb.tenant == "landb" && landb.stamp != nil)
        #expect(landb.statements[0].hasPrefix("""
            CREATE VIEW landb.foodlogstats__shadow AS
            SELECT id, store, waste_category, weight FROM landb.foodlogstats_2025
            UNION ALL
            SELECT id, store, waste_category, weight FROM landb.foodlogstats_2026_01_01__shadow
            """))
        #expect(landb.statements.contains("GRANT SELECT ON landb.foodlogstats__shadow TO landb_readers"))
        #expect(landb.statements.last!.hasPrefix("COMMENT ON VIEW landb.foodlogstats__shadow IS 'warden: spec="))
        #expect(!swap[3].statements.contains { $0.hasPrefix("GRANT") })
        #expect(swap[4].statements[0] == """
            CREATE VIEW public.foodlogstats__shadow AS
            SELECT 'acme'::text AS tenant, id, store, waste_category, weight FROM acme.foodlogstats__shadow
            UNION ALL
            SELECT 'landb'::text AS tenant, id, store, waste_category, weight FROM landb.foodlogstats__shadow
            """)
        #expect(swap[4].statements.contains("GRANT SELECT ON public.foodlogstats__shadow TO analysts"))

        let rename = swap[5]
        #expect(rename.phase == .swap && rename.stepClass == .briefLock && rename.transactional && rename.touchesLiveObjects)
        // First the check that no view outside warden reads a view it retires, then only renames.
        #expect(rename.statements[0].contains("ARRAY['landb.foodlogstats'::regclass, 'acme.foodlogstats'::regclass, 'public.foodlogstats'::regclass]"),
                "\(rename.statements[0])")
        #expect(Self.renames(rename) == [
            "ALTER VIEW public.foodlogstats RENAME TO foodlogstats__retired",
            "ALTER VIEW public.foodlogstats__shadow RENAME TO foodlogstats",
            "COMMENT ON VIEW public.foodlogstats IS NULL",
            "ALTER VIEW landb.foodlogstats RENAME TO foodlogstats__retired",
            "ALTER VIEW landb.foodlogstats__shadow RENAME TO foodlogstats",
            "COMMENT ON VIEW landb.foodlogstats IS NULL",
            "ALTER VIEW acme.foodlogstats RENAME TO foodlogstats__retired",
            "ALTER VIEW acme.foodlogstats__shadow RENAME TO foodlogstats",
            "COMMENT ON VIEW acme.foodlogstats IS NULL",
        ])
        #expect(rename.reversible && rename.undo[1] == "ALTER VIEW acme.foodlogstats RENAME TO foodlogstats__shadow")

        let cleanup = plan.steps(in: .cleanup)
        #expect(Self.kinds(Array(cleanup.prefix(3))) == [.dropRetired, .dropRetired, .dropRetired])
        #expect(cleanup[0].statements == ["DROP VIEW IF EXISTS public.foodlogstats__retired"])
        // Then one transaction per tenant: its old daily views dropped, its shadows renamed in.
        #expect(cleanup[3].statements.first == "DROP MATERIALIZED VIEW IF EXISTS landb.foodlogstats_2026_01_01")
        #expect(cleanup[3].statements[5] == "ALTER MATERIALIZED VIEW landb.foodlogstats_2026_01_01__shadow RENAME TO foodlogstats_2026_01_01")
        #expect(cleanup[3].kind == .renameShadow && cleanup[3].transactional && cleanup[3].touchesLiveObjects)
        #expect(cleanup[4].tenant == "acme")
        #expect(cleanup.count == 3 + 2)
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
        #expect(plan.summary.risk == .low)
    }

    @Test("a removed column: only the yearly tables' DROP COLUMN is destructive, in cleanup, after the retired views are gone")
    func removedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.removeLast()
        fixture.desired.templates[0].query = fixture.desired.templates[0].query.replacing(", pf.weight\n", with: "\n")
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        let destructive = plan.steps.filter { $0.stepClass == .destructive }
        #expect(destructive.map(\.statements) == [
            ["ALTER TABLE landb.foodlogstats_2025 DROP COLUMN IF EXISTS weight"],
            ["ALTER TABLE acme.foodlogstats_2025 DROP COLUMN IF EXISTS weight"],
        ])
        #expect(destructive.allSatisfy { $0.kind == .dropYearlyColumn && $0.phase == .cleanup && $0.touchesLiveObjects })
        let drops = plan.steps.filter { $0.kind == .dropRetired }
        #expect(drops.allSatisfy { $0.id < destructive[0].id })
        #expect(!plan.steps.contains { $0.kind == .addYearlyColumn || $0.kind == .buildShadowYearlyTable })
        #expect(plan.steps(in: .swap).first { $0.tenant == "landb" }!.statements[0].hasPrefix(
            "CREATE VIEW landb.foodlogstats__shadow AS\nSELECT id, store FROM landb.foodlogstats_2025\n"))
        #expect(plan.summary.risk == .high)
    }

    @Test("a renamed column: RENAME COLUMN on yearly tables inside the swap, no destructive step, but the change needs allowDestructive")
    func renamedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns[2] = Column(name: "weight_kg", type: ColumnType("numeric(10,3)")!, renamedFrom: "weight")
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
        // Queries naming `weight` break: the apply needs allowDestructive all the same.
        #expect(plan.destructiveChanges.count == 1 && plan.destructiveChanges[0].hasPrefix("template.column.renamed"), "\(plan.destructiveChanges)")
        #expect(plan.destructiveReasons == plan.destructiveChanges)
        var appended = WarehouseFixture()
        appended.appendWasteCategory()
        #expect(appended.plan().destructiveReasons.isEmpty)
        let landb = try #require(plan.steps.first { $0.kind == .buildShadowView && $0.tenant == "landb" })
        #expect(landb.statements[0].hasPrefix(
            "CREATE VIEW landb.foodlogstats__shadow AS\nSELECT id, store, weight AS weight_kg FROM landb.foodlogstats_2025\nUNION ALL\nSELECT id, store, weight_kg FROM landb.foodlogstats_2026_01_01__shadow\n"))
        let rename = try #require(plan.steps.first { $0.kind == .renameSwap })
        #expect(rename.statements.suffix(2) == [
            "ALTER TABLE landb.foodlogstats_2025 RENAME COLUMN weight TO weight_kg",
            "ALTER TABLE acme.foodlogstats_2025 RENAME COLUMN weight TO weight_kg",
        ])
    }

    @Test("a retyped column: the conversion check runs first and alone, shadow yearly tables are renamed in, the old ones dropped destructively")
    func retypedColumn() throws {
        var fixture = WarehouseFixture()
        Self.retypeWeight(&fixture)
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        let prepare = plan.steps(in: .prepare)
        #expect(Self.kinds(Array(prepare.prefix(2))) == [.checkConversion, .checkConversion])
        #expect(prepare.prefix(2).allSatisfy { $0.kind.runsAlone && $0.stepClass == .online && $0.statements.allSatisfy { $0.hasPrefix("DO $check$") } })
        #expect(prepare[0].targets == ["landb.foodlogstats_2025"])
        #expect(prepare[0].statements[0].contains("PERFORM count(t.weight::numeric(12,3)) FROM landb.foodlogstats_2025 AS t;"))
        #expect(prepare[0].statements[0].contains("format(' %s %s', 'id', t.id)"))

        let copy = try #require(prepare.first { $0.kind == .buildShadowYearlyTable && $0.tenant == "landb" })
        #expect(Array(copy.statements.prefix(4)) == [
            "CREATE TABLE landb.foodlogstats_2025__shadow (id bigint, store text, weight numeric(12,3))",
            "INSERT INTO landb.foodlogstats_2025__shadow (id, store, weight) SELECT id, store, weight::numeric(12,3) FROM landb.foodlogstats_2025",
            "CREATE UNIQUE INDEX idx_landb_foodlogstats_2025__shadow_id ON landb.foodlogstats_2025__shadow (id)",
            "CREATE INDEX idx_landb_foodlogstats_2025__shadow_store ON landb.foodlogstats_2025__shadow (store)",
        ])
        #expect(copy.stamp != nil && copy.statements.contains { $0.hasPrefix("COMMENT ON TABLE landb.foodlogstats_2025__shadow IS 'warden: spec=") })
        #expect(prepare.filter { $0.kind == .buildShadowYearlyTable }.count == 2)
        #expect(prepare.filter { $0.kind == .buildShadowDailyView }.count == 10)

        let rename = try #require(plan.steps.first { $0.kind == .renameSwap })
        #expect(rename.statements.contains("ALTER TABLE landb.foodlogstats_2025 RENAME TO foodlogstats_2025__retired"))
        #expect(rename.statements.contains("ALTER INDEX landb.idx_landb_foodlogstats_2025_id RENAME TO idx_landb_foodlogstats_2025__retired_id"))
        #expect(rename.statements.contains("ALTER TABLE landb.foodlogstats_2025__shadow RENAME TO foodlogstats_2025"))
        #expect(rename.statements.contains("ALTER INDEX landb.idx_landb_foodlogstats_2025__shadow_id RENAME TO idx_landb_foodlogstats_2025_id"))
        #expect(Self.renames(rename).allSatisfy {
            $0.hasPrefix("ALTER ") && $0.contains(" RENAME ") || $0.hasPrefix("COMMENT ON VIEW ") && $0.hasSuffix(" IS NULL")
        })

        let destructive = plan.steps.filter { $0.stepClass == .destructive }
        #expect(destructive.map(\.statements) == [
            ["DROP TABLE IF EXISTS landb.foodlogstats_2025__retired"], ["DROP TABLE IF EXISTS acme.foodlogstats_2025__retired"],
        ])
        #expect(destructive.allSatisfy { $0.phase == .cleanup })
        #expect(plan.summary.risk == .high)
    }

    @Test("a moved column: shadows and views in the new order; yearly tables untouched (views read them by name)")
    func movedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.swapAt(1, 2)
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        #expect(!plan.steps.contains { [.addYearlyColumn, .buildShadowYearlyTable, .dropYearlyColumn].contains($0.kind) })
        #expect(!plan.steps.flatMap(\.statements).contains { $0.hasPrefix("ALTER TABLE") })
        let landb = try #require(plan.steps.first { $0.kind == .buildShadowView && $0.tenant == "landb" })
        #expect(landb.statements[0].contains("SELECT id, weight, store FROM landb.foodlogstats_2025\n"))
    }

    @Test("a changed query with the same columns: every day rebuilt as a shadow, views swapped by rename, yearly tables untouched")
    func queryChanged() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].query = fixture.desired.templates[0].query.replacing("pl.name AS store", with: "upper(pl.name) AS store")
        #expect(fixture.detect().items.contains { $0.kind == .queryChanged })
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        #expect(plan.steps(in: .prepare).count == 10)
        #expect(plan.steps(in: .prepare).allSatisfy { $0.kind == .buildShadowDailyView && $0.statements[0].contains("upper(pl.name)") })
        #expect(Self.kinds(plan.steps(in: .swap)) == [.buildShadowView, .buildShadowView, .buildShadowView, .renameSwap, .updateRegistry])
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
        #expect(!plan.steps.flatMap(\.statements).contains { $0.contains("foodlogstats_2025 ") && !$0.hasPrefix("CREATE VIEW") })
    }

    @Test("the swap locks O(tenants + yearly tables) relations, whatever the number of days", arguments: [
        Day("2026-01-06")!, Day("2026-03-01")!, Day("2026-12-31")!,
    ])
    func swapLocksDoNotGrowWithDays(asOf: Day) throws {
        var fixture = WarehouseFixture()
        fixture.asOf = asOf
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        Self.insertWasteCategory(&fixture)
        Self.retypeWeight(&fixture)
        let plan = fixture.plan()
        let days = fixture.desired.settings.expectedDays(asOf: asOf).count
        #expect(plan.steps.filter { $0.kind == .buildShadowDailyView }.count == 2 * days)
        let swaps = plan.steps.filter { $0.kind == .renameSwap }
        #expect(swaps.count == 1)
        let swap = try #require(swaps.first)
        let relations = Self.lockedRelations(swap)
        // 2 tenant views and the public view, each with its shadow; per yearly table: itself, its shadow,
        // 2 old and 2 new indexes (index renames take SHARE UPDATE EXCLUSIVE, which readers never wait for).
        #expect(relations.count == 2 * (2 + 1) + 2 * (2 + 2 + 2))
        #expect(!relations.contains { $0.contains("_2026_") })
        #expect(Self.renames(swap).allSatisfy {
            $0.hasPrefix("ALTER ") && $0.contains(" RENAME ") || $0.hasPrefix("COMMENT ON VIEW ") && $0.hasSuffix(" IS NULL")
        })
    }

    @Test("an index on an inserted or appended column is built on yearly tables after the swap adds the column", arguments: [2, 3])
    func indexOnNewColumn(position: Int) throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.insert(
            Column(name: "waste_category", type: ColumnType("text")!, defaultValue: "UNKNOWN"), at: position)
        fixture.desired.templates[0].indexes.append(IndexSpec(columns: ["waste_category"]))
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        let creates = plan.steps.filter { $0.kind == .createIndex }
        #expect(creates.map(\.targets.first) == ["landb.foodlogstats_2025", "acme.foodlogstats_2025"])
        #expect(creates.allSatisfy { $0.phase == .cleanup })
        let shadow = try #require(plan.steps.first { $0.kind == .buildShadowDailyView })
        #expect(shadow.statements.contains { $0.contains("(waste_category)") })
    }

    @Test("a day built from another query is rebuilt as a shadow and swapped in for its tenant only")
    func staleDay() throws {
        var fixture = WarehouseFixture()
        let day = Day("2026-01-03")!
        let name = QualifiedName(schema: "acme", name: "foodlogstats_2026_01_03")
        fixture.live.relations[name] = WarehouseFixture.dailyView(
            fixture.desired.templates[0], name: name, day: day, connection: "acme-prod", query: "SELECT 1")
        #expect(fixture.detect().items.map(\.kind) == [.dayStale])
        let plan = fixture.plan()
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
        #expect(plan.steps(in: .prepare).map(\.targets) == [["acme.foodlogstats_2026_01_03__shadow"]])
        #expect(plan.steps.filter { $0.kind == .buildShadowView }.map(\.tenant) == ["acme", nil])
        let rename = try #require(plan.steps.first { $0.kind == .renameSwap })
        #expect(!rename.statements.contains { $0.contains("landb") })
        #expect(!plan.steps.contains { $0.tenant == "landb" })
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
    }

    @Test("the migration file of a retype: the check, the rename transaction under a short lock timeout, its undo")
    func migrationFile() throws {
        var fixture = WarehouseFixture()
        Self.retypeWeight(&fixture)
        let contents = fixture.plan().migrationFile(name: "retype weight", timestamp: MigrationTimestamp(day: fixture.asOf)).contents
        #expect(contents.contains("-- Risk Assessment: high"))
        #expect(contents.contains("DO $check$"))
        #expect(contents.contains("BEGIN;\nSET LOCAL lock_timeout = '50ms';\nDO $warden$\n"))
        #expect(contents.contains("END $warden$;\nALTER VIEW public.foodlogstats RENAME TO foodlogstats__retired;\n"))
        let down = try #require(contents.range(of: "-- DOWN MIGRATION (ROLLBACK)"))
        #expect(contents[down.upperBound...].contains("ALTER VIEW public.foodlogstats RENAME TO foodlogstats__shadow;"))
    }

    @Test("a column change touches only its template")
    func onlyTheAffectedTemplate() {
        var fixture = WarehouseFixture()
        fixture.desired.templates.append(Template(
            name: "wastestats", description: "Waste", query: "SELECT id, kind FROM waste WHERE day = '{TARGET_DATE}'",
            columns: [Column(name: "id", type: ColumnType("bigint")!), Column(name: "kind", type: ColumnType("text")!)],
            indexes: [IndexSpec(columns: ["id"], unique: true)]))
        fixture.build()
        Self.insertWasteCategory(&fixture)
        Self.retypeWeight(&fixture)
        fixture.desired.templates[0].columns.removeAll { $0.name == "store" }
        fixture.desired.templates[0].indexes.removeAll { $0.columns == ["store"] }
        let plan = fixture.plan()
        #expect(!plan.steps.isEmpty)
        #expect(plan.steps.allSatisfy { $0.template == "foodlogstats" })
        #expect(!plan.steps.flatMap(\.statements).contains { $0.contains("wastestats") })
    }

    @Test("a leftover shadow view of an interrupted swap is dropped first, alone, before shadows are rebuilt")
    func leftoverShadowViews() throws {
        var fixture = WarehouseFixture()
        Self.insertWasteCategory(&fixture)
        let shadow = QualifiedName(schema: "landb", name: "foodlogstats__shadow")
        fixture.live.relations[shadow] = LiveRelation(
            name: shadow, kind: .view, columns: WarehouseFixture.liveColumns(fixture.desired.templates[0]), owner: "postgres")
        let plan = fixture.plan()
        #expect(plan.steps.first?.kind == .dropLeftover)
        #expect(plan.steps.first?.statements == ["DROP VIEW IF EXISTS landb.foodlogstats__shadow"])
        #expect(plan.steps.first?.kind.runsAlone == true)
        #expect(!plan.notes.contains { $0.hasPrefix("not planned yet") }, "\(plan.notes)")
    }
}
