import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

@Suite("Planner: tenants added and removed, bootstrap, yearly tables")
struct TenantPlannerTests {
    static let bistro = Tenant(schema: "bistro", connection: "bistro-prod")

    /// The fixture with `bistro` in git and its foreign server in the warehouse, as of `asOf`.
    static func withBistro(asOf: Day = Day("2026-01-06")!) -> WarehouseFixture {
        var fixture = WarehouseFixture()
        if asOf != fixture.asOf {
            fixture.asOf = asOf
            fixture.live = LiveWarehouse()
            fixture.live.roles = ["analysts", "landb_readers", "postgres"]
            fixture.build()
        }
        fixture.desired.settings.tenants.append(bistro)
        fixture.live.foreignServers[bistro.connection] = ForeignServer(name: bistro.connection, wrapper: "dblink_fdw", options: [:])
        return fixture
    }

    static func plan(_ fixture: WarehouseFixture, asOf: Day, policy: Policy = Policy()) -> Plan {
        let drift = DriftDetector.detect(desired: fixture.desired, live: fixture.live, asOf: asOf)
        return Planner.plan(desired: fixture.desired, live: fixture.live, drift: drift, asOf: asOf, policy: policy)
    }

    static func unplanned(_ plan: Plan) -> [String] { plan.notes.filter { $0.hasPrefix("not planned yet") } }

    @Test("a tenant added: its schema, yearly table, daily views and tenant view ahead; one public-view swap; nothing of the others")
    func tenantAdded() throws {
        let plan = Self.withBistro().plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        let prepare = plan.steps(in: .prepare)
        #expect(prepare.map(\.kind) == [.createSchema, .buildYearlyTable] + Array(repeating: .buildDailyView, count: 5) + [.createTenantView])
        #expect(prepare.allSatisfy { $0.tenant == "bistro" && $0.stepClass == .online })
        #expect(prepare.map(\.prepareWave) == [0, 1, 1, 1, 1, 1, 1, 2])
        #expect(prepare[0].statements == ["CREATE SCHEMA IF NOT EXISTS bistro"])

        // The yearly table: a shadow, twelve months loaded from the source through dblink, then the finish.
        let yearly = prepare[1]
        #expect(yearly.targets == ["bistro.foodlogstats_2025"])
        #expect(!yearly.transactional && yearly.stamp != nil && yearly.reversible)
        #expect(yearly.statements.count == 1 + 12 + 1 + 1)
        #expect(yearly.statements[0].contains("CREATE TABLE bistro.foodlogstats_2025__shadow (id bigint, store text, weight numeric(10,3))"))
        let months = yearly.statements[1...12]
        #expect(months.allSatisfy { $0.hasPrefix("DO $warden$") && $0.contains("dblink('bistro-prod', $q$") })
        #expect(months.first!.contains("loaded=2025-01-31") && months.last!.contains("loaded=2025-12-31"))
        #expect(months.map { $0.components(separatedBy: "INSERT INTO").count - 1 }.reduce(0, +) == 365)
        #expect(yearly.statements[13].contains("ALTER TABLE bistro.foodlogstats_2025__shadow RENAME TO foodlogstats_2025"))
        #expect(yearly.statements[13].contains("CREATE UNIQUE INDEX idx_bistro_foodlogstats_2025_id ON bistro.foodlogstats_2025 (id)"))
        #expect(yearly.statements[14] == "ANALYZE bistro.foodlogstats_2025")

        let view = prepare[7]
        #expect(view.statements[0].hasPrefix("CREATE OR REPLACE VIEW bistro.foodlogstats AS\nSELECT id, store, weight FROM bistro.foodlogstats_2025\nUNION ALL"))
        #expect(view.statements[0].hasSuffix("SELECT id, store, weight FROM bistro.foodlogstats_2026_01_05"))

        // Swap: the public view gains bistro, its grant restored in the same transaction.
        let swap = plan.steps(in: .swap)
        #expect(swap.map(\.kind) == [.replacePublicView])
        #expect(swap[0].stepClass == .briefLock && swap[0].transactional && swap[0].touchesLiveObjects)
        #expect(swap[0].statements == [
            """
            CREATE OR REPLACE VIEW public.foodlogstats AS
            SELECT 'acme'::text AS tenant, id, store, weight FROM acme.foodlogstats
            UNION ALL
            SELECT 'bistro'::text AS tenant, id, store, weight FROM bistro.foodlogstats
            UNION ALL
            SELECT 'landb'::text AS tenant, id, store, weight FROM landb.foodlogstats
            """,
            "GRANT SELECT ON public.foodlogstats TO analysts",
        ])
        #expect(plan.steps(in: .cleanup).isEmpty)
        #expect(!plan.steps.contains { $0.stepClass == .destructive })
        #expect(plan.steps.flatMap(\.targets).allSatisfy { !$0.hasPrefix("landb.") && !$0.hasPrefix("acme.") })
        #expect(plan.summary.risk == .low)
    }

    @Test("the tenant-add swap locks the public view and the tenant views, whatever the number of days", arguments: [
        "2026-01-06", "2026-03-15", "2026-12-20",
    ])
    func tenantAddSwapIndependentOfDays(asOf text: String) throws {
        let asOf = try #require(Day(text))
        let plan = Self.plan(Self.withBistro(asOf: asOf), asOf: asOf)
        let swap = plan.steps(in: .swap)
        #expect(swap.count == 1)
        // The relations the swap names: the public view and one tenant view per tenant.
        let named = Set(swap[0].statements[0].split(whereSeparator: { $0 == " " || $0 == "\n" })
            .filter { $0.contains(".") && !$0.hasPrefix("'") })
        #expect(named == ["public.foodlogstats", "acme.foodlogstats", "bistro.foodlogstats", "landb.foodlogstats"])
        #expect(plan.steps(in: .prepare).filter { $0.kind == .buildDailyView }.count == asOf.ordinal - asOf.startOfYear.ordinal)
    }

    @Test("bootstrap: an empty warehouse gets the registry, every tenant, the public view and its grants")
    func bootstrap() throws {
        var fixture = WarehouseFixture()
        fixture.live = LiveWarehouse(
            foreignServers: Dictionary(uniqueKeysWithValues: fixture.desired.settings.tenants.map {
                ($0.connection, ForeignServer(name: $0.connection, wrapper: "dblink_fdw", options: [:]))
            }),
            roles: ["analysts", "landb_readers", "postgres"])
        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        let prepare = plan.steps(in: .prepare)
        #expect(prepare.prefix(3).map(\.kind) == [.createRegistry, .createSchema, .createSchema])
        #expect(prepare.filter { $0.kind == .buildYearlyTable }.count == 2)
        #expect(prepare.filter { $0.kind == .buildDailyView }.count == 10)
        #expect(prepare.filter { $0.kind == .updateRegistry }.count == 1)
        #expect(prepare.suffix(2).map(\.kind) == [.createTenantView, .createTenantView])
        let landbSchema = try #require(prepare.first { $0.kind == .createSchema && $0.tenant == "landb" })
        #expect(landbSchema.statements.contains("GRANT USAGE ON SCHEMA landb TO landb_readers"))
        let landbView = try #require(prepare.first { $0.kind == .createTenantView && $0.tenant == "landb" })
        #expect(landbView.statements.last == "GRANT SELECT ON landb.foodlogstats TO landb_readers")
        let acmeView = try #require(prepare.first { $0.kind == .createTenantView && $0.tenant == "acme" })
        #expect(acmeView.statements.count == 1)
        #expect(plan.steps(in: .swap).map(\.kind) == [.replacePublicView])
        #expect(plan.steps(in: .swap)[0].statements.last == "GRANT SELECT ON public.foodlogstats TO analysts")
        #expect(plan.steps(in: .cleanup).isEmpty)
    }

    @Test("a new template is built for every tenant like a tenant add: yearly tables, days, tenant views, then its public view")
    func templateAdded() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates.append(Template(
            name: "wastestats", description: "Waste", query: "SELECT id, kind FROM waste WHERE day = '{TARGET_DATE}'",
            columns: [Column(name: "id", type: ColumnType("bigint")!), Column(name: "kind", type: ColumnType("text")!)],
            indexes: [IndexSpec(columns: ["id"], unique: true)]))
        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps.allSatisfy { $0.template == "wastestats" })
        #expect(!plan.steps.contains { $0.kind == .createSchema })
        #expect(plan.steps.filter { $0.kind == .buildYearlyTable }.map(\.targets) == [["landb.wastestats_2025"], ["acme.wastestats_2025"]])
        #expect(plan.steps.filter { $0.kind == .createTenantView }.count == 2)
        #expect(plan.steps(in: .swap).map(\.kind) == [.replacePublicView])
        #expect(plan.steps(in: .swap)[0].statements[0].hasPrefix("CREATE OR REPLACE VIEW public.wastestats AS\nSELECT 'acme'::text AS tenant, id, kind FROM acme.wastestats"))
    }

    @Test("an owner in warehouse.yaml owns every object a tenant add creates")
    func ownerOfNewObjects() throws {
        var fixture = Self.withBistro()
        fixture.desired.settings.owner = "whadmin"
        fixture.live.roles.insert("whadmin")
        let statements = fixture.plan().steps.flatMap(\.statements)
        #expect(statements.contains("ALTER SCHEMA bistro OWNER TO whadmin"))
        #expect(statements.contains("ALTER MATERIALIZED VIEW bistro.foodlogstats_2026_01_01 OWNER TO whadmin"))
        #expect(statements.contains { $0.contains("ALTER TABLE bistro.foodlogstats_2025 OWNER TO whadmin;") })
        #expect(statements.contains("ALTER VIEW bistro.foodlogstats OWNER TO whadmin"))
        #expect(statements.contains("ALTER VIEW public.foodlogstats OWNER TO whadmin"))
    }

    @Test("a tenant removed: the public view loses it in a brief-lock swap; its objects and schema go in destructive cleanup")
    func tenantRemoved() throws {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants.removeAll { $0.schema == "acme" }
        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps(in: .prepare).isEmpty)
        let swap = plan.steps(in: .swap)
        #expect(swap.map(\.kind) == [.replacePublicView])
        #expect(swap[0].stepClass == .briefLock)
        #expect(swap[0].statements == [
            "CREATE OR REPLACE VIEW public.foodlogstats AS\nSELECT 'landb'::text AS tenant, id, store, weight FROM landb.foodlogstats",
            "GRANT SELECT ON public.foodlogstats TO analysts",
        ])
        let cleanup = plan.steps(in: .cleanup)
        #expect(cleanup.map(\.kind) == [.dropTenantObjects, .dropSchema])
        #expect(cleanup.allSatisfy { $0.stepClass == .destructive && $0.tenant == "acme" && !$0.transactional })
        #expect(cleanup[0].statements.first == "DROP VIEW IF EXISTS acme.foodlogstats")
        #expect(cleanup[0].statements.count == 1 + 5 + 1)
        #expect(cleanup[0].statements.last == "DROP TABLE IF EXISTS acme.foodlogstats_2025")
        #expect(cleanup[0].targets == [
            "acme.foodlogstats", "acme.foodlogstats_2026_01_01 … foodlogstats_2026_01_05 (5 days)", "acme.foodlogstats_2025",
        ])
        #expect(cleanup[1].statements[0].contains("DROP SCHEMA IF EXISTS acme;"))
        #expect(cleanup[1].statements[0].contains("EXCEPTION WHEN dependent_objects_still_exist"))
        #expect(plan.summary.risk == .high)
        #expect(!plan.steps.flatMap(\.targets).contains { $0.hasPrefix("landb.") })

        // A relation warden does not manage keeps the schema; the note says which.
        let notes = QualifiedName(schema: "acme", name: "notes")
        fixture.live.relations[notes] = LiveRelation(name: notes, kind: .table, columns: [], owner: "postgres")
        let keeping = fixture.plan()
        #expect(keeping.steps(in: .cleanup).map(\.kind) == [.dropTenantObjects])
        #expect(keeping.notes.contains { $0.contains("acme: its schema is kept") && $0.contains("acme.notes") })
    }

    @Test("a year rollover across January 1: the yearly table from last year's daily views, a tenant-view swap, the views dropped")
    func yearRollover() throws {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2025-12-30")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        #expect(fixture.plan().steps.isEmpty)

        let asOf = Day("2026-01-03")!
        let plan = Self.plan(fixture, asOf: asOf)
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        let prepare = plan.steps(in: .prepare)
        #expect(prepare.allSatisfy { $0.stepClass == .online })
        let yearly = prepare.filter { $0.kind == .buildYearlyTable }
        #expect(yearly.map(\.targets) == [["landb.foodlogstats_2025"], ["acme.foodlogstats_2025"]])
        let landb = yearly[0].statements.joined(separator: "\n")
        // 363 days copied from their daily views; December 30 and 31 have none and come from the source.
        #expect(landb.components(separatedBy: "FROM landb.foodlogstats_2025_").count - 1 == 363)
        #expect(landb.components(separatedBy: "dblink('landb-prod', $q$").count - 1 == 2)
        #expect(landb.contains("INSERT INTO landb.foodlogstats_2025__shadow (id, store, weight) SELECT id, store, weight FROM landb.foodlogstats_2025_12_29;"))
        #expect(prepare.filter { $0.kind == .buildDailyView }.map(\.targets) == [
            ["landb.foodlogstats_2026_01_01"], ["landb.foodlogstats_2026_01_02"],
            ["acme.foodlogstats_2026_01_01"], ["acme.foodlogstats_2026_01_02"],
        ])

        let swap = plan.steps(in: .swap)
        #expect(swap.map(\.kind) == [.replaceTenantView, .replaceTenantView])
        #expect(swap[0].statements == [
            """
            CREATE OR REPLACE VIEW landb.foodlogstats AS
            SELECT id, store, weight FROM landb.foodlogstats_2025
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_01
            UNION ALL
            SELECT id, store, weight FROM landb.foodlogstats_2026_01_02
            """,
        ])
        let cleanup = plan.steps(in: .cleanup)
        #expect(cleanup.map(\.kind) == [.dropDailyView, .dropDailyView])
        #expect(cleanup.allSatisfy { $0.stepClass == .online && !$0.transactional && $0.statements.count == 363 })
        #expect(cleanup[0].statements.first == "DROP MATERIALIZED VIEW IF EXISTS landb.foodlogstats_2025_01_01")
        #expect(plan.summary.risk == .low)
    }

    @Test("a daily view that no longer matches the template is not copied: its day comes from the source")
    func staleDailyViewsAreNotCopied() throws {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2025-01-04")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        let stale = QualifiedName(schema: "landb", name: "foodlogstats_2025_01_02")
        fixture.live.relations[stale]!.definition = fixture.live.relations[stale]!.definition!.replacing("pf.weight", with: "pf.weight * 2")
        let plan = Self.plan(fixture, asOf: Day("2026-01-02")!)
        let landb = try #require(plan.steps.first { $0.kind == .buildYearlyTable && $0.tenant == "landb" })
        let january = landb.statements[1]
        #expect(january.contains("FROM landb.foodlogstats_2025_01_01;"))
        #expect(!january.contains("FROM landb.foodlogstats_2025_01_02;"))
        #expect(january.contains("FROM landb.foodlogstats_2025_01_03;"))
        #expect(january.components(separatedBy: "dblink('landb-prod'").count - 1 == 31 - 2)
    }

    @Test("an interrupted tenant add resumes: the yearly shadow after its last loaded month, only the missing days")
    func interruptedAddResumes() throws {
        var fixture = Self.withBistro()
        let template = fixture.desired.templates[0]
        fixture.live.schemas["bistro"] = LiveSchema(name: "bistro", owner: "postgres")
        let built = QualifiedName(schema: "bistro", name: "foodlogstats_2026_01_01")
        fixture.live.relations[built] = WarehouseFixture.dailyView(template, name: built, day: Day("2026-01-01")!, connection: "bistro-prod")
        let shadow = QualifiedName(schema: "bistro", name: "foodlogstats_2025__shadow")
        let spec = try #require(Self.withBistro().plan().steps.first { $0.kind == .buildYearlyTable }?.stamp)
        fixture.live.relations[shadow] = LiveRelation(
            name: shadow, kind: .table, columns: WarehouseFixture.liveColumns(template), owner: "postgres",
            comment: spec.description + " loaded=2025-06-30")

        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.notes.contains { $0.contains("bistro.foodlogstats_2025: resuming the shadow of an earlier run after 2025-06-30") })
        #expect(!plan.steps.contains { $0.kind == .createSchema })
        let yearly = try #require(plan.steps.first { $0.kind == .buildYearlyTable })
        #expect(yearly.statements.count == 1 + 6 + 1 + 1)
        #expect(yearly.statements[1].contains("loaded=2025-07-31"))
        #expect(plan.steps.filter { $0.kind == .buildDailyView }.count == 4)
        #expect(plan.steps(in: .swap).map(\.kind) == [.replacePublicView])

        // A shadow from another spec is dropped and built again.
        fixture.live.relations[shadow]!.comment = "warden: spec=0000000000000000 loaded=2025-06-30"
        let rebuilt = try #require(fixture.plan().steps.first { $0.kind == .buildYearlyTable })
        #expect(rebuilt.statements[0] == "DROP TABLE IF EXISTS bistro.foodlogstats_2025__shadow")
        #expect(rebuilt.statements.count == 1 + 1 + 12 + 1 + 1)
    }

    @Test("one swap per tenant view: a rollover, a missing day and a grant on the same view plan one replace and the grant")
    func oneSwapPerTenantView() throws {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2025-12-30")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats")]!.privileges = [:]
        let plan = Self.plan(fixture, asOf: Day("2026-01-02")!)
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        let landb = plan.steps(in: .swap).filter { $0.tenant == "landb" }
        #expect(landb.map(\.kind) == [.replaceTenantView, .grant])
        #expect(landb[0].statements[0].hasSuffix(
            "FROM landb.foodlogstats_2025\nUNION ALL\nSELECT id, store, weight FROM landb.foodlogstats_2026_01_01"))
    }

    @Test("a rollover and an appended column in one plan: the yearly table from the source with the new column, one swap per tenant")
    func rolloverWithAppendedColumn() throws {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2025-12-30")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        fixture.appendWasteCategory()
        let plan = Self.plan(fixture, asOf: Day("2026-01-02")!)
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(!plan.notes.contains { $0.contains("plan the rollover first") }, "\(plan.notes)")
        let yearly = try #require(plan.steps.first { $0.kind == .buildYearlyTable && $0.tenant == "landb" })
        #expect(yearly.statements[0].contains("(id bigint, store text, weight numeric(10,3), waste_category text DEFAULT 'UNKNOWN')"))
        // The daily views of 2025 lack the new column: every day comes from the source.
        #expect(yearly.statements.joined().components(separatedBy: "dblink('landb-prod', $q$").count - 1 == 365)
        let swaps = plan.steps(in: .swap).filter { $0.kind == .replaceTenantView }
        #expect(swaps.map(\.tenant) == ["landb", "acme"])
        #expect(swaps[0].statements == [
            """
            CREATE OR REPLACE VIEW landb.foodlogstats AS
            SELECT id, store, weight, waste_category FROM landb.foodlogstats_2025
            UNION ALL
            SELECT id, store, weight, waste_category FROM landb.foodlogstats_2026_01_01
            """,
        ])
        #expect(plan.steps(in: .swap).last?.kind == .updateRegistry || plan.steps(in: .swap).contains { $0.kind == .replacePublicView })
        #expect(plan.steps(in: .cleanup).filter { $0.kind == .dropDailyView && $0.statements.count == 363 }.count == 2)
    }

    @Test("a lower firstYear backfills the missing year from the source and puts it first in the tenant view")
    func yearMissing() throws {
        var fixture = WarehouseFixture()
        fixture.desired.settings.firstYear = 2024
        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps(in: .prepare).map(\.targets) == [["landb.foodlogstats_2024"], ["acme.foodlogstats_2024"]])
        #expect(plan.steps(in: .prepare).allSatisfy { $0.statements[1...12].allSatisfy { $0.contains("dblink(") } })
        let swap = plan.steps(in: .swap)
        #expect(swap.map(\.kind) == [.replaceTenantView, .replaceTenantView])
        #expect(swap[0].statements[0].hasPrefix(
            "CREATE OR REPLACE VIEW landb.foodlogstats AS\nSELECT id, store, weight FROM landb.foodlogstats_2024\nUNION ALL\nSELECT id, store, weight FROM landb.foodlogstats_2025\n"))
        #expect(plan.steps(in: .cleanup).isEmpty)
    }

    @Test("a past year's daily view left beside its yearly table is dropped in cleanup")
    func rolledOverLeftover() throws {
        var fixture = WarehouseFixture()
        let template = fixture.desired.templates[0]
        let leftover = QualifiedName(schema: "acme", name: "foodlogstats_2025_12_31")
        fixture.live.relations[leftover] = WarehouseFixture.dailyView(template, name: leftover, day: Day("2025-12-31")!, connection: "acme-prod")
        let plan = fixture.plan()
        #expect(Self.unplanned(plan).isEmpty, "\(plan.notes)")
        #expect(plan.steps.map(\.kind) == [.dropDailyView])
        #expect(plan.steps[0].statements == ["DROP MATERIALIZED VIEW IF EXISTS acme.foodlogstats_2025_12_31"])

        // While the tenant view still reads it, the view is switched to the yearly table first.
        let view = QualifiedName(schema: "acme", name: "foodlogstats")
        fixture.live.relations[view]!.dependsOn.append(leftover)
        let switching = fixture.plan()
        #expect(switching.steps.map(\.kind) == [.replaceTenantView, .dropDailyView])
        #expect(!switching.steps[0].statements[0].contains("2025_12_31"))
    }
}
