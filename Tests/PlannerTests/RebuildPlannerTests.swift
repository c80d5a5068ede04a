import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// `strategy: rebuild`: seed 000's procedure as written. One blocking transaction drops the views,
/// alters the yearly tables and drops the current year's daily views; the days are built again; the
/// views are created again with grants, owner and comment. No shadows, only the affected template.
@Suite("Planner: strategy rebuild")
struct RebuildPlannerTests {
    static let rebuild = Policy(strategy: .rebuild)

    static func kinds(_ steps: [PlanStep]) -> [PlanStep.Kind] { steps.map(\.kind) }

    static func notPlanned(_ plan: Plan) -> [String] { plan.notes.filter { $0.hasPrefix("not planned yet") } }

    /// The daily views of a tenant as of the fixture's 2026-01-06: January 1 to 5.
    static func days(_ tenant: String) -> [String] {
        (1...5).map { "\(tenant).foodlogstats_2026_01_0\($0)" }
    }

    /// Every statement of the plan, to look for what a rebuild must never contain.
    static func statements(_ plan: Plan) -> [String] { plan.steps.flatMap(\.statements) }

    @Test("seed 000's appended column: one drop transaction, the registry, every day rebuilt, the views created again")
    func appendedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(plan.strategy == .rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps(in: .prepare).isEmpty)
        #expect(plan.steps(in: .cleanup).isEmpty)

        let swap = plan.steps(in: .swap)
        #expect(Self.kinds(swap) == [.dropForRebuild, .updateRegistry] + Array(repeating: .buildDailyView, count: 10)
            + [.replaceTenantView, .replaceTenantView, .replacePublicView])

        let drop = swap[0]
        #expect(drop.stepClass == .blocking && drop.transactional && drop.touchesLiveObjects && !drop.reversible)
        #expect(drop.statements == [
            "DROP VIEW IF EXISTS public.foodlogstats",
            "DROP VIEW IF EXISTS landb.foodlogstats",
            "DROP VIEW IF EXISTS acme.foodlogstats",
            "ALTER TABLE landb.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'",
            "ALTER TABLE acme.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'",
        ] + (Self.days("landb") + Self.days("acme")).map { "DROP MATERIALIZED VIEW IF EXISTS \($0)" })
        #expect(drop.targets.prefix(5) == [
            "public.foodlogstats", "landb.foodlogstats", "acme.foodlogstats", "acme.foodlogstats_2025", "landb.foodlogstats_2025",
        ])

        let builds = swap.filter { $0.kind == .buildDailyView }
        #expect(builds.map { $0.targets[0] } == Self.days("landb") + Self.days("acme"))
        #expect(builds.allSatisfy { $0.stepClass == .blocking && $0.runsInParallelInSwap && $0.stamp != nil })
        #expect(builds.allSatisfy { $0.statements[0].hasSuffix("waste_category text)") })
        #expect(builds[0].statements.contains(
            "CREATE UNIQUE INDEX idx_landb_foodlogstats_2026_01_01_id ON landb.foodlogstats_2026_01_01 (id)"))

        let landb = swap[12]
        #expect(landb.tenant == "landb" && landb.stepClass == .blocking && landb.targets == ["landb.foodlogstats"])
        #expect(landb.statements[0] == "CREATE OR REPLACE VIEW landb.foodlogstats AS\n"
            + (["landb.foodlogstats_2025"] + Self.days("landb")).map { "SELECT id, store, weight, waste_category FROM \($0)" }
                .joined(separator: "\nUNION ALL\n"))
        #expect(landb.statements[1] == "GRANT SELECT ON landb.foodlogstats TO landb_readers")
        #expect(landb.statements.last!.hasPrefix("COMMENT ON VIEW landb.foodlogstats IS 'warden: spec="))
        #expect(!swap[13].statements.contains { $0.hasPrefix("GRANT") })

        let publicView = swap[14]
        #expect(publicView.stepClass == .blocking && publicView.targets == ["public.foodlogstats"])
        #expect(publicView.statements[0] == """
            CREATE OR REPLACE VIEW public.foodlogstats AS
            SELECT 'acme'::text AS tenant, id, store, weight, waste_category FROM acme.foodlogstats
            UNION ALL
            SELECT 'landb'::text AS tenant, id, store, weight, waste_category FROM landb.foodlogstats
            """)
        #expect(publicView.statements[1] == "GRANT SELECT ON public.foodlogstats TO analysts")
        #expect(publicView.statements.last!.hasPrefix("COMMENT ON VIEW public.foodlogstats IS 'warden: spec="))

        // No shadows, no extra disk; blocking, not destructive.
        #expect(!Self.statements(plan).contains { $0.contains("__shadow") || $0.contains("__retired") })
        #expect(plan.summary.extraDiskBytes == 0)
        #expect(plan.summary.stepsByClass == ["blocking": 14, "online": 1])
        #expect(plan.summary.risk == .medium)
        #expect(plan.notes.contains { $0.hasPrefix("foodlogstats: strategy rebuild (seed 000 as written)") && $0.hasSuffix("No extra disk.") })
    }

    @Test("the views come back with their owner, and a person's comment on a dropped view is written back")
    func ownerAndComments() throws {
        var fixture = WarehouseFixture()
        fixture.desired.settings.owner = "whadmin"
        fixture.live.roles.insert("whadmin")
        fixture.live.relations[QualifiedName(schema: "public", name: "foodlogstats")]?.comment = "Food logs of every store; ask #data"
        fixture.appendWasteCategory()
        let plan = fixture.plan(policy: Self.rebuild)
        let publicView = try #require(plan.steps.first { $0.kind == .replacePublicView })
        #expect(publicView.statements.suffix(2) == [
            "ALTER VIEW public.foodlogstats OWNER TO whadmin",
            "COMMENT ON VIEW public.foodlogstats IS 'Food logs of every store; ask #data'",
        ])
        let landb = try #require(plan.steps.first { $0.kind == .replaceTenantView && $0.tenant == "landb" })
        #expect(landb.statements.contains("ALTER VIEW landb.foodlogstats OWNER TO whadmin"))
        let day = try #require(plan.steps.first { $0.kind == .buildDailyView })
        #expect(day.statements.last == "ALTER MATERIALIZED VIEW landb.foodlogstats_2026_01_01 OWNER TO whadmin")
    }

    @Test("an inserted column: ADD COLUMN on the yearly tables, views in template order; the position on disk does not matter")
    func insertedColumn() throws {
        var fixture = WarehouseFixture()
        ColumnChangePlannerTests.insertWasteCategory(&fixture)
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        #expect(drop.stepClass == .blocking)
        #expect(drop.statements.contains("ALTER TABLE landb.foodlogstats_2025 ADD COLUMN waste_category text DEFAULT 'UNKNOWN'"))
        let landb = try #require(plan.steps.first { $0.kind == .replaceTenantView && $0.tenant == "landb" })
        #expect(landb.statements[0].contains("SELECT id, store, waste_category, weight FROM landb.foodlogstats_2025\n"))
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
    }

    @Test("a removed column: DROP COLUMN inside the drop transaction, which is the one destructive step")
    func removedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.removeLast()
        fixture.desired.templates[0].query = fixture.desired.templates[0].query.replacing(", pf.weight\n", with: "\n")
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let destructive = plan.steps.filter { $0.stepClass == .destructive }
        #expect(destructive.map(\.kind) == [.dropForRebuild])
        #expect(destructive[0].statements.contains("ALTER TABLE landb.foodlogstats_2025 DROP COLUMN IF EXISTS weight"))
        #expect(destructive[0].statements.contains("ALTER TABLE acme.foodlogstats_2025 DROP COLUMN IF EXISTS weight"))
        #expect(plan.steps(in: .cleanup).isEmpty)
        #expect(plan.summary.risk == .high)
    }

    @Test("a renamed column: RENAME COLUMN in place, nothing destructive, the history keeps its values")
    func renamedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns[2] = Column(name: "weight_kg", type: ColumnType("numeric(10,3)")!, renamedFrom: "weight")
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        #expect(drop.stepClass == .blocking)
        #expect(drop.statements.filter { $0.hasPrefix("ALTER TABLE") } == [
            "ALTER TABLE landb.foodlogstats_2025 RENAME COLUMN weight TO weight_kg",
            "ALTER TABLE acme.foodlogstats_2025 RENAME COLUMN weight TO weight_kg",
        ])
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
    }

    @Test("a retyped column: shadow-swap's conversion check first and alone, then ALTER COLUMN TYPE … USING in the transaction")
    func retypedColumn() throws {
        var fixture = WarehouseFixture()
        ColumnChangePlannerTests.retypeWeight(&fixture)
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let prepare = plan.steps(in: .prepare)
        #expect(Self.kinds(prepare) == [.checkConversion, .checkConversion])
        #expect(prepare.allSatisfy { $0.kind.runsAlone && $0.stepClass == .online })
        #expect(prepare.map(\.targets) == [["landb.foodlogstats_2025"], ["acme.foodlogstats_2025"]])
        #expect(prepare[0].statements[0].contains("PERFORM count(t.weight::numeric(12,3)) FROM landb.foodlogstats_2025 AS t;"))
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        #expect(drop.stepClass == .destructive)
        #expect(drop.statements.contains(
            "ALTER TABLE landb.foodlogstats_2025 ALTER COLUMN weight TYPE numeric(12,3) USING weight::numeric(12,3)"))
        #expect(!plan.steps.contains { $0.kind == .buildShadowYearlyTable })
        #expect(plan.summary.extraDiskBytes == 0)
    }

    @Test("a column renamed and retyped at once: renamed first, converted under its new name, checked under its old one")
    func renamedAndRetyped() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns[2] = Column(name: "weight_kg", type: ColumnType("numeric(12,3)")!, renamedFrom: "weight")
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        #expect(drop.statements.filter { $0.hasPrefix("ALTER TABLE landb") } == [
            "ALTER TABLE landb.foodlogstats_2025 RENAME COLUMN weight TO weight_kg",
            "ALTER TABLE landb.foodlogstats_2025 ALTER COLUMN weight_kg TYPE numeric(12,3) USING weight_kg::numeric(12,3)",
        ])
        let check = try #require(plan.steps.first { $0.kind == .checkConversion && $0.tenant == "landb" })
        #expect(check.statements[0].contains("count(t.weight::numeric(12,3))"))
    }

    @Test("a changed query with the same columns: the same outage, no yearly table altered")
    func queryChanged() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].query = fixture.desired.templates[0].query.replacing("pl.name AS store", with: "upper(pl.name) AS store")
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        #expect(!drop.statements.contains { $0.hasPrefix("ALTER TABLE") })
        #expect(drop.statements.count == 3 + 10)
        let builds = plan.steps.filter { $0.kind == .buildDailyView }
        #expect(builds.count == 10 && builds.allSatisfy { $0.statements[0].contains("upper(pl.name)") })
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
    }

    @Test("only the affected template is touched")
    func onlyTheAffectedTemplate() {
        var fixture = WarehouseFixture()
        fixture.desired.templates.append(Template(
            name: "wastestats", description: "Waste", query: "SELECT id, kind FROM waste WHERE day = '{TARGET_DATE}'",
            columns: [Column(name: "id", type: ColumnType("bigint")!), Column(name: "kind", type: ColumnType("text")!)],
            indexes: [IndexSpec(columns: ["id"], unique: true)]))
        fixture.build()
        fixture.appendWasteCategory()
        ColumnChangePlannerTests.retypeWeight(&fixture)
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps.contains { $0.kind == .dropForRebuild })
        #expect(plan.steps.allSatisfy { $0.template == "foodlogstats" })
        #expect(!Self.statements(plan).contains { $0.contains("wastestats") })
    }

    @Test("the windows see a drop transaction with its whole outage: the transaction, the days over parallelism connections, the views")
    func admissionCoversTheOutage() throws {
        var fixture = WarehouseFixture()
        for (name, relation) in fixture.live.relations where relation.kind == .materializedView {
            fixture.live.relations[name]?.sizeBytes = 40_000_000
        }
        fixture.appendWasteCategory()
        let plan = fixture.plan(policy: Self.rebuild)
        let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
        let outage = plan.outage(openedBy: drop)
        #expect(outage.first == drop && outage.count == 15)
        let builds = outage.filter(\.runsInParallelInSwap)
        #expect(builds.count == 10 && builds.allSatisfy { $0.estimateSeconds == 2 })
        let serial = outage.filter { !$0.runsInParallelInSwap }.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }
        let admitted = plan.admissionStep(drop, parallelism: 2)
        #expect(admitted.estimateSeconds == serial + 10)
        #expect(plan.admissionStep(builds[0], parallelism: 2) == builds[0])
        #expect(plan.outage(openedBy: builds[0]).isEmpty)
        #expect(plan.notes.contains { $0.contains("fail meanwhile: about 10.") })
    }

    /// The fixture as a crash right after the drop transaction leaves it: no public or tenant view, no
    /// daily view of the current year, the yearly tables altered, the registry row already updated.
    static func afterDropTransaction() -> WarehouseFixture {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let template = fixture.desired.templates[0]
        for (name, relation) in fixture.live.relations {
            switch relation.kind {
            case .view, .materializedView: fixture.live.relations[name] = nil
            case .table: fixture.live.relations[name]?.columns = WarehouseFixture.liveColumns(template)
            }
        }
        fixture.live.registry["foodlogstats"]?.queryTemplate = template.query
        fixture.live.registry["foodlogstats"]?.columnDefinitions = template.columns
            .map { "\($0.name) \($0.type.name.uppercased())" }.joined(separator: ",\n")
        return fixture
    }

    @Test("a crash right after the drop transaction: the next plan builds every day and creates the views with their grants")
    func crashAfterTheDropTransaction() throws {
        let fixture = Self.afterDropTransaction()
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)\n\(plan.text())")
        #expect(!plan.steps.contains { $0.kind == .dropForRebuild || $0.statements.contains { $0.hasPrefix("DROP") } })
        #expect(plan.steps.filter { $0.kind == .buildDailyView }.map(\.targets[0]).sorted()
            == (Self.days("landb") + Self.days("acme")).sorted())
        let tenantViews = plan.steps.filter { $0.kind == .createTenantView }
        #expect(tenantViews.map(\.tenant) == ["landb", "acme"])
        #expect(tenantViews[0].statements.contains("GRANT SELECT ON landb.foodlogstats TO landb_readers"))
        #expect(tenantViews[0].statements[0].contains("SELECT id, store, weight, waste_category FROM landb.foodlogstats_2025\n"))
        let publicView = try #require(plan.steps.last)
        #expect(publicView.kind == .replacePublicView && publicView.phase == .swap)
        #expect(publicView.statements.contains("GRANT SELECT ON public.foodlogstats TO analysts"))
    }

    @Test("a crash halfway through the rebuilds: only the missing days are built, then the views")
    func crashDuringTheRebuilds() throws {
        var fixture = Self.afterDropTransaction()
        let template = fixture.desired.templates[0]
        for day in ["2026-01-01", "2026-01-02"] {
            let name = QualifiedName(schema: "landb", name: ObjectNames.dailyView("foodlogstats", Day(day)!))
            fixture.live.relations[name] = WarehouseFixture.dailyView(template, name: name, day: Day(day)!, connection: "landb-prod")
        }
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        let built = plan.steps.filter { $0.kind == .buildDailyView }.map(\.targets[0])
        #expect(built.count == 8 && !built.contains("landb.foodlogstats_2026_01_01"))
        #expect(plan.steps.filter { $0.kind == .createTenantView }.count == 2)
        #expect(plan.steps.last?.kind == .replacePublicView)
    }

    @Test("a crash before the public view came back: the next plan creates it with its grant, nothing else")
    func crashBeforeThePublicView() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        fixture.live.relations[QualifiedName(schema: "public", name: "foodlogstats")] = nil
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        #expect(Self.kinds(plan.steps) == [.replacePublicView])
        #expect(plan.steps[0].statements.contains("GRANT SELECT ON public.foodlogstats TO analysts"))
    }

    @Test("a tenant whose connection is gone: nothing is dropped, the change is not planned and says why")
    func missingConnection() {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        fixture.live.foreignServers["acme-prod"] = nil
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(!plan.steps.contains { $0.kind == .dropForRebuild || $0.kind == .buildDailyView })
        #expect(Self.notPlanned(plan).contains { $0.contains("acme's connection acme-prod does not exist") }, "\(plan.notes)")
    }

    @Test("a few stale days alone are repaired for their tenant only, without dropping every view")
    func staleDayIsNotAnOutage() throws {
        var fixture = WarehouseFixture()
        let day = Day("2026-01-03")!
        let name = QualifiedName(schema: "acme", name: "foodlogstats_2026_01_03")
        fixture.live.relations[name] = WarehouseFixture.dailyView(
            fixture.desired.templates[0], name: name, day: day, connection: "acme-prod", query: "SELECT 1")
        let plan = fixture.plan(policy: Self.rebuild)
        #expect(Self.notPlanned(plan).isEmpty, "\(plan.notes)")
        #expect(!plan.steps.contains { $0.kind == .dropForRebuild || $0.stepClass == .blocking })
        #expect(!plan.steps.contains { $0.tenant == "landb" })
    }
}
