import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// `ALTER TABLE landb.foodlogstats_2025 DROP COLUMN weight CASCADE` by hand: the column, landb's tenant
/// view and the public view are gone. The plan puts the column back before any view reads it.
@Suite("A yearly column dropped by hand with CASCADE")
struct CascadeDroppedColumnTests {
    static func cascaded() -> WarehouseFixture {
        var fixture = WarehouseFixture()
        let yearly = QualifiedName(schema: "landb", name: "foodlogstats_2025")
        fixture.live.relations[yearly]!.columns.removeAll { $0.name == "weight" }
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats")] = nil
        fixture.live.relations[QualifiedName(schema: "public", name: "foodlogstats")] = nil
        return fixture
    }

    @Test("the column is added back before any view that reads it is built, and the public view reads every tenant")
    func columnBeforeViews() throws {
        let plan = Self.cascaded().plan()
        let steps = plan.steps
        let add = try #require(steps.firstIndex { $0.kind == .addYearlyColumn }, "\(plan.text())")
        #expect(steps[add].statements == ["ALTER TABLE landb.foodlogstats_2025 ADD COLUMN weight numeric(10,3)"])
        let readers = steps.indices.filter { index in
            steps[index].statements.contains { $0.contains("VIEW") && $0.contains("FROM landb.foodlogstats_2025") }
        }
        #expect(!readers.isEmpty, "\(plan.text())")
        #expect(readers.allSatisfy { $0 > add }, "\(plan.text())")
        let publicView = steps.flatMap(\.statements).filter { $0.hasPrefix("CREATE VIEW public.") || $0.hasPrefix("CREATE OR REPLACE VIEW public.") }
        #expect(!publicView.isEmpty, "\(plan.text())")
        #expect(publicView.allSatisfy { $0.contains("FROM acme.foodlogstats") && $0.contains("FROM landb.foodlogstats") })
        #expect(plan.notes.filter { $0.hasPrefix("not planned yet") }.isEmpty, "\(plan.notes)")
    }
}
