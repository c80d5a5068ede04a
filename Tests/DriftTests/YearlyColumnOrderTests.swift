import Drift
import Testing
import WardenModel
import WarehouseFixtures

/// Views read yearly tables by column name, so a yearly table's physical column order is no drift: a
/// column inserted by `ADD COLUMN` sits last on disk wherever the template puts it.
@Suite("Drift: yearly tables' physical column order")
struct YearlyColumnOrderTests {
    /// A yearly table with its columns in another physical order.
    static func reorder(_ fixture: inout WarehouseFixture, _ table: QualifiedName) {
        fixture.live.relations[table]!.columns = [
            fixture.live.relations[table]!.columns[0], fixture.live.relations[table]!.columns[2], fixture.live.relations[table]!.columns[1],
        ]
    }

    @Test("an inserted column last on disk is in sync when daily views give the shape")
    func withDailyViews() {
        var fixture = WarehouseFixture()
        Self.reorder(&fixture, QualifiedName(schema: "landb", name: "foodlogstats_2025"))
        let report = fixture.detect()
        #expect(report.items.isEmpty, "\(report.table())")
    }

    @Test("an inserted column last on disk is in sync when only yearly tables give the shape (January 1)")
    func withoutDailyViews() {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2026-01-01")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["analysts", "landb_readers", "postgres"]
        fixture.build()
        #expect(fixture.detect().items.isEmpty)
        // One tenant's table in the template's order, the other's with the middle column last.
        Self.reorder(&fixture, QualifiedName(schema: "landb", name: "foodlogstats_2025"))
        let report = fixture.detect()
        #expect(report.items.isEmpty, "\(report.table())")
        // Both reordered the same way: still the template's order, no moved column.
        Self.reorder(&fixture, QualifiedName(schema: "acme", name: "foodlogstats_2025"))
        #expect(fixture.detect().items.isEmpty)
    }
}
