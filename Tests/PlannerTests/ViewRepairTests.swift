import Planner
import Testing
import WardenModel
import WarehouseFixtures

@Suite("View repair")
struct ViewRepairTests {
    let publicView = QualifiedName(schema: "public", name: "foodlogstats")
    let landbView = QualifiedName(schema: "landb", name: "foodlogstats")
    let acmeView = QualifiedName(schema: "acme", name: "foodlogstats")

    func repair(_ fixture: WarehouseFixture, _ request: ViewRepair.Request) throws -> ViewRepair {
        let repairs = try ViewRepair.plan(request, desired: fixture.desired, live: fixture.live, asOf: fixture.asOf)
        try #require(repairs.count == 1)
        return repairs[0]
    }

    static let publicDefinition = """
        CREATE OR REPLACE VIEW public.foodlogstats AS
        SELECT 'acme'::text AS tenant, id, store, weight FROM acme.foodlogstats
        UNION ALL
        SELECT 'landb'::text AS tenant, id, store, weight FROM landb.foodlogstats
        """

    static let landbDefinition = """
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
        """

    /// `COMMENT ON VIEW <view> IS 'warden: spec=… revision=abc123'`.
    func isStamp(_ statement: String, on view: QualifiedName) -> Bool {
        statement.hasPrefix("COMMENT ON VIEW \(view) IS 'warden: spec=") && statement.hasSuffix(" revision=abc123'")
    }

    @Test("views that are right are left alone, whatever is asked")
    func inSync() throws {
        let fixture = WarehouseFixture()
        let publicRepair = try repair(fixture, .publicViews(templates: []))
        #expect(publicRepair.isEmpty)
        #expect(publicRepair.notes == [
            "public.foodlogstats already reads 2 tenant views (acme, landb) with the expected columns and grants: left alone",
        ])
        let tenantRepair = try repair(fixture, .tenantViews(tenant: "landb", templates: ["foodlogstats"]))
        #expect(tenantRepair.isEmpty)
        #expect(tenantRepair.notes == [
            "landb.foodlogstats already reads 1 yearly table and 5 daily views with the expected columns and grants: left alone",
        ])
    }

    @Test("a dropped public view is created over every tenant view, with its grant and stamp, as one brief-lock transaction")
    func publicViewMissing() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .publicViews(templates: ["foodlogstats"]))
        #expect(repair.statements.count == 3)
        #expect(repair.statements.first == Self.publicDefinition)
        #expect(repair.statements.dropFirst().first == "GRANT SELECT ON public.foodlogstats TO analysts")
        #expect(isStamp(repair.statements[2], on: publicView), "\(repair.statements[2])")
        #expect(repair.views.map(\.action) == [.created])
        #expect(repair.views.first?.summary
            == "public.foodlogstats: created over 2 tenant views (acme, landb), 4 columns; SELECT granted to analysts (it was missing)")
        let step = repair.step(id: 1)
        #expect(step.kind == .replacePublicView && step.phase == .swap && step.stepClass == .briefLock)
        #expect(step.transactional && step.touchesLiveObjects)
        #expect(step.targets == ["public.foodlogstats"])
    }

    @Test("a tenant view dropped with CASCADE comes back with the public view, in one transaction, tenant view first")
    func tenantViewDroppedWithCascade() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[landbView] = nil
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .tenantViews(tenant: "landb", templates: []))
        #expect(repair.views.map(\.name) == [landbView, publicView])
        #expect(repair.views.map(\.action) == [.created, .created])
        #expect(repair.statements.count == 6)
        #expect(repair.statements[0] == Self.landbDefinition)
        #expect(repair.statements[1] == "GRANT SELECT ON landb.foodlogstats TO landb_readers")
        #expect(isStamp(repair.statements[2], on: landbView))
        #expect(repair.statements[3] == Self.publicDefinition)
        #expect(repair.statements[4] == "GRANT SELECT ON public.foodlogstats TO analysts")
        #expect(isStamp(repair.statements[5], on: publicView))
        #expect(repair.step(id: 1).kind == .replaceTenantView)
        #expect(repair.step(id: 1).tenant == "landb")
    }

    @Test("a tenant view missing from a public view rebuilt without it: the public view is replaced to read it again")
    func publicViewWithoutTheTenant() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[landbView] = nil
        fixture.live.relations[publicView]!.dependsOn = [acmeView]
        let repair = try repair(fixture, .tenantViews(tenant: "landb", templates: []))
        #expect(repair.views.map(\.action) == [.created, .replaced])
        #expect(repair.views.last?.reason == "it lacked landb.foodlogstats")
        // CREATE OR REPLACE keeps the public view's grants; the GRANT is idempotent, the stamp is new.
        #expect(repair.statements.suffix(3).first == Self.publicDefinition)
        #expect(!repair.statements.contains { $0.hasPrefix("DROP") })
    }

    @Test("a tenant view that lost a member is replaced in place; the public view that reads it is left alone")
    func tenantViewLackingAMember() throws {
        var fixture = WarehouseFixture()
        let day = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_03")
        fixture.live.relations[landbView]!.dependsOn.removeAll { $0 == day }
        let repair = try repair(fixture, .tenantViews(tenant: "landb", templates: []))
        #expect(repair.views.map(\.name) == [landbView])
        #expect(repair.views.first?.action == .replaced)
        #expect(repair.views.first?.reason == "it lacked landb.foodlogstats_2026_01_03")
        #expect(repair.statements.first == Self.landbDefinition)
        #expect(!repair.statements.contains { $0.contains("public.foodlogstats") })
    }

    @Test("columns CREATE OR REPLACE cannot reach: the public view is dropped first and both come back in the same transaction")
    func incompatibleColumnsRecreate() throws {
        var fixture = WarehouseFixture()
        let columns = fixture.live.relations[landbView]!.columns
        fixture.live.relations[landbView]!.columns = [columns[0], columns[2], columns[1]]
        let repair = try repair(fixture, .tenantViews(tenant: "landb", templates: []))
        #expect(repair.views.map(\.action) == [.recreated, .recreated])
        #expect(Array(repair.statements.prefix(3)) == ["DROP VIEW public.foodlogstats", "DROP VIEW landb.foodlogstats", Self.landbDefinition])
        #expect(repair.statements.contains(Self.publicDefinition))
        #expect(repair.statements.contains("GRANT SELECT ON public.foodlogstats TO analysts"))
        #expect(repair.views.last?.reason == "it reads the view dropped before it")
        #expect(repair.statements.filter { $0.hasPrefix("DROP") }.count == 2)
    }

    @Test("a view that only lost its grant gets the grant back and nothing else")
    func regrantOnly() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[publicView]!.privileges = [:]
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(repair.statements == ["GRANT SELECT ON public.foodlogstats TO analysts"])
        #expect(repair.views.first?.action == .regranted)
        #expect(repair.views.first?.summary == "public.foodlogstats: grants restored; SELECT granted to analysts (it lacked SELECT for analysts)")
    }

    @Test("the owner warehouse.yaml names is set in the same transaction")
    func ownerRestored() throws {
        var fixture = WarehouseFixture()
        fixture.desired.settings.owner = "warehouse_owner"
        fixture.live.roles.insert("warehouse_owner")
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(repair.statements.contains("ALTER VIEW public.foodlogstats OWNER TO warehouse_owner"))
        #expect(repair.views.first?.owner == "warehouse_owner")
    }

    @Test("a change merged but not applied does not block a repair: the view comes back with the columns that exist")
    func pendingColumnChange() throws {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.append(Column(name: "waste_category", type: ColumnType("text")!, defaultValue: "UNKNOWN"))
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(repair.statements.first == Self.publicDefinition)
    }

    @Test("a role that does not exist is not granted, and the repair says so")
    func missingRole() throws {
        var fixture = WarehouseFixture()
        fixture.live.roles.remove("analysts")
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(!repair.statements.contains { $0.hasPrefix("GRANT") })
        #expect(repair.notes.contains { $0.hasPrefix("role analysts does not exist") })
    }

    @Test("a comment people wrote on a replaced view is kept")
    func peoplesCommentKept() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[publicView]!.comment = "owned by the data team"
        fixture.live.relations[publicView]!.dependsOn = [landbView]
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(repair.views.first?.action == .replaced)
        #expect(!repair.statements.contains { $0.hasPrefix("COMMENT") })
    }

    @Test("a public view without one tenant's view leaves it out and says how to put it back")
    func publicViewLeavesOutMissingTenant() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[acmeView] = nil
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .publicViews(templates: []))
        #expect(repair.views.first?.members == [landbView])
        #expect(repair.notes.contains(
            "public.foodlogstats leaves out acme: no view foodlogstats there; "
                + "warden repair tenant-view acme foodlogstats puts it back into the public view too"))
    }

    /// The refusal `request` meets on `fixture`.
    func refusal(_ fixture: WarehouseFixture, _ request: ViewRepair.Request) -> String {
        let error = #expect(throws: RepairRefusal.self) {
            try ViewRepair.plan(request, desired: fixture.desired, live: fixture.live, asOf: fixture.asOf)
        }
        return error?.description ?? ""
    }

    @Test("a member without a column of the view is refused, naming the member and the column")
    func memberLacksColumn() {
        var fixture = WarehouseFixture()
        let yearly = QualifiedName(schema: "landb", name: "foodlogstats_2025")
        fixture.live.relations[yearly]!.columns.removeAll { $0.name == "weight" }
        fixture.live.relations[landbView] = nil
        #expect(refusal(fixture, .tenantViews(tenant: "landb", templates: [])).hasPrefix(
            "cannot rebuild landb.foodlogstats: landb.foodlogstats_2025 lacks column weight (numeric(10,3))"))
    }

    @Test("a member with a column of another type is refused")
    func memberRetyped() {
        var fixture = WarehouseFixture()
        let yearly = QualifiedName(schema: "landb", name: "foodlogstats_2025")
        fixture.live.relations[yearly]!.columns[2] = LiveColumn(name: "weight", type: ColumnType("real")!)
        #expect(refusal(fixture, .tenantViews(tenant: "landb", templates: [])).contains(
            "landb.foodlogstats_2025 has column weight as real, where the template's daily views have numeric(10,3)"))
    }

    @Test("a daily view without data is refused: the view would fail for every reader")
    func unpopulatedMember() {
        var fixture = WarehouseFixture()
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats_2026_01_02")]!.populated = false
        #expect(refusal(fixture, .tenantViews(tenant: "landb", templates: [])).contains(
            "landb.foodlogstats_2026_01_02 holds no data (WITH NO DATA)"))
    }

    @Test("a tenant view lacking a column keeps the public view from being rebuilt over it")
    func publicMemberLacksColumn() {
        var fixture = WarehouseFixture()
        fixture.live.relations[acmeView]!.columns.removeLast()
        fixture.live.relations[publicView] = nil
        #expect(refusal(fixture, .publicViews(templates: [])) == "cannot rebuild public.foodlogstats: acme.foodlogstats lacks column weight "
            + "(numeric(10,3)), which the template's daily views have; repair it first: warden repair tenant-view acme foodlogstats")
    }

    @Test("a tenant-view repair still runs when the public view cannot follow, and says why")
    func tenantRepairWithoutPublic() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[acmeView]!.columns.removeLast()
        fixture.live.relations[landbView] = nil
        fixture.live.relations[publicView] = nil
        let repair = try repair(fixture, .tenantViews(tenant: "landb", templates: []))
        #expect(repair.views.map(\.name) == [landbView])
        #expect(repair.notes.contains {
            $0.hasPrefix("public.foodlogstats is not rebuilt: cannot rebuild public.foodlogstats: acme.foodlogstats lacks")
        })
    }

    @Test("a relation under the view's name that is not a view is never replaced")
    func notAView() {
        var fixture = WarehouseFixture()
        fixture.live.relations[publicView]!.kind = .table
        #expect(refusal(fixture, .publicViews(templates: [])).hasPrefix("public.foodlogstats is a table, not a view; warden will not replace it"))
    }

    @Test("unknown templates and tenants, and a tenant with nothing to read, are refused")
    func unknownNames() {
        var fixture = WarehouseFixture()
        #expect(refusal(fixture, .publicViews(templates: ["foodlog"]))
            == "there is no template foodlog in the desired state; its templates are foodlogstats")
        #expect(refusal(fixture, .tenantViews(tenant: "bistro", templates: []))
            .hasPrefix("bistro is not a tenant of warehouse.yaml (its tenants are landb, acme)"))
        for name in fixture.live.relations.keys where name.schema == "acme" && name.name != "foodlogstats" {
            fixture.live.relations[name] = nil
        }
        #expect(refusal(fixture, .tenantViews(tenant: "acme", templates: [])).hasPrefix(
            "cannot rebuild acme.foodlogstats: acme has no yearly table from 2025 and no daily view before 2026-01-06"))
    }
}
