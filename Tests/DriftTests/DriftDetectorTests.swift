import WarehouseFixtures
import Drift
import Foundation
import Testing
import WardenModel

@Suite("Drift detection")
struct DriftDetectorTests {
    let landbDay3 = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_03")

    @Test("a warehouse built exactly to the desired state is in sync, whatever the registry's formatting")
    func inSync() {
        let report = WarehouseFixture().detect()
        #expect(report.items == [], "\(report.table())")
        #expect(report.inSync)
    }

    @Test("an appended column is one template-level item, not one per object")
    func columnAdded() {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns.append(Column(name: "waste_category", type: ColumnType("text")!, defaultValue: "UNKNOWN"))
        let kinds = fixture.detect().items.map(\.kind)
        #expect(kinds.contains(.columnAdded))
        #expect(kinds.filter { $0 == .columnAdded }.count == 1)
        #expect(!kinds.contains(.dayStale))
        #expect(!kinds.contains(.yearlyColumns))
        #expect(!kinds.contains(.tenantView))
    }

    @Test("renamed, retyped and removed columns are told apart")
    func columnChanges() {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns[2] = Column(name: "weight_kg", type: ColumnType("numeric(10,3)")!, renamedFrom: "weight")
        fixture.desired.templates[0].columns[0] = Column(name: "id", type: ColumnType("integer")!)
        fixture.desired.templates[0].columns.remove(at: 1)
        fixture.desired.templates[0].indexes = [IndexSpec(columns: ["id"], unique: true)]
        let items = fixture.detect().items.filter { $0.kind.rawValue.hasPrefix("template.column") }
        #expect(Set(items.map(\.kind)) == [.columnRenamed, .columnRetyped, .columnRemoved])
        #expect(items.first { $0.kind == .columnRenamed }?.object == "foodlogstats.weight")
        #expect(items.first { $0.kind == .columnRemoved }?.object == "foodlogstats.store")
    }

    @Test("types are compared after normalization: int8 and bigint are one type")
    func typeAliases() {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].columns[0].type = ColumnType("BIGINT")!
        #expect(fixture.detect().inSync)
    }

    @Test("a column added by hand to one yearly table is exactly that object")
    func yearlyColumns() {
        var fixture = WarehouseFixture()
        let table = QualifiedName(schema: "acme", name: "foodlogstats_2025")
        fixture.live.relations[table]!.columns.append(LiveColumn(name: "note", type: ColumnType("text")!))
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.yearlyColumns])
        #expect(items.first?.object == "acme.foodlogstats_2025")
        #expect(items.first?.found.contains("extra note text") == true)
    }

    @Test("one daily view rebuilt with another query is one stale day; all of them is a changed template query")
    func queries() {
        var fixture = WarehouseFixture()
        let day = Day("2026-01-03")!
        fixture.live.relations[landbDay3] = WarehouseFixture.dailyView(
            WarehouseFixture.foodlogstats, name: landbDay3, day: day, connection: "landb-prod", query: "SELECT 1 AS id")
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.dayStale])
        #expect(items.first?.object == "landb.foodlogstats_2026_01_03")

        var changed = WarehouseFixture()
        changed.desired.templates[0].query += "\n  AND pf.flags IS NULL"
        let report = changed.detect()
        #expect(report.items.map(\.kind) == [.queryChanged, .registry])
        #expect(report.items.first?.found == "10 of 10 daily views were built from another query")
    }

    @Test("trailing whitespace in a query is not drift")
    func trailingWhitespace() {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].query += "   \n\n"
        #expect(fixture.detect().inSync)
    }

    @Test("a daily view dropped and removed from its union view is one missing day and nothing else")
    func missingDay() {
        var fixture = WarehouseFixture()
        fixture.live.relations[landbDay3] = nil
        let view = QualifiedName(schema: "landb", name: "foodlogstats")
        fixture.live.relations[view]!.dependsOn.removeAll { $0 == landbDay3 }
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.dayMissing])
        #expect(items.first?.object == "landb.foodlogstats_2026_01_03")
    }

    @Test("consecutive missing days are one item with the range")
    func missingRange() {
        var fixture = WarehouseFixture()
        let view = QualifiedName(schema: "acme", name: "foodlogstats")
        for day in Day("2026-01-02")!.through(Day("2026-01-04")!) {
            let name = QualifiedName(schema: "acme", name: ObjectNames.dailyView("foodlogstats", day))
            fixture.live.relations[name] = nil
            fixture.live.relations[view]!.dependsOn.removeAll { $0 == name }
        }
        let items = fixture.detect().items
        #expect(items.count == 1)
        #expect(items.first?.object == "acme.foodlogstats_2026_01_02 … foodlogstats_2026_01_04 (3 days)")
    }

    @Test("an index dropped from one daily view is that object; from all, a template-level item")
    func indexes() {
        var fixture = WarehouseFixture()
        fixture.live.relations[landbDay3]!.indexes.removeAll { $0.columns == ["store"] }
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.indexAdded])
        #expect(items.first?.object == "landb.foodlogstats_2026_01_03")

        var added = WarehouseFixture()
        added.desired.templates[0].indexes.append(IndexSpec(columns: ["weight"]))
        let report = added.detect()
        #expect(report.items.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.indexAdded, .registry])
        #expect(report.items.first { $0.kind == .indexAdded }?.object == "foodlogstats index (weight)")
        // Index names never matter, only their definition.
        var renamed = WarehouseFixture()
        renamed.live.relations[landbDay3]!.indexes[0].name = "some_other_name"
        #expect(renamed.detect().inSync)
    }

    @Test("daily views warden built (stamped, definitions not read): an index change is index drift, not a changed query")
    func indexChangeOnStampedViews() {
        var fixture = WarehouseFixture()
        let template = fixture.desired.templates[0]
        for tenant in fixture.desired.settings.tenants {
            for day in fixture.asOf.startOfYear.through(fixture.asOf.previous) {
                let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
                fixture.live.relations[name]!.definition = nil
                fixture.live.relations[name]!.comment = ObjectStamp(
                    specHash: template.dailyViewSpecHash(day: day, connection: tenant.connection), revision: "abc123").description
            }
        }
        #expect(fixture.detect().inSync)

        // Stamped by an earlier build of warden, whose hash also covered the view's indexes: still in sync.
        var older = fixture
        for (name, relation) in older.live.relations where relation.kind == .materializedView {
            guard case .dailyView(_, let day)? = ObjectNames.role(of: name.name, templates: [template.name]) else { continue }
            let connection = older.desired.settings.tenants.first { $0.schema == name.schema }!.connection
            let legacy = SpecHash.of(
                ["daily-view", connection, QueryText.normalized(template.renderedQuery(for: day)), template.columnDefinitions]
                    + template.indexes.sorted().map(\.description))
            older.live.relations[name]!.comment = ObjectStamp(specHash: legacy, revision: "abc123").description
        }
        #expect(older.detect().inSync, "\(older.detect().items.map(\.kind))")

        var added = fixture
        added.desired.templates[0].indexes.append(IndexSpec(columns: ["weight"]))
        #expect(added.detect().items.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.indexAdded, .registry])

        // The query itself changed: every stamp is stale.
        var changed = fixture
        changed.desired.templates[0].query += " AND pf.weight > 0"
        #expect(changed.detect().items.map(\.kind).contains(.queryChanged))
    }

    @Test("a revoked grant and an unexpected grant are reported on the view")
    func grants() {
        var fixture = WarehouseFixture()
        fixture.live.relations[QualifiedName(schema: "public", name: "foodlogstats")]!.privileges = ["intern": ["SELECT"]]
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.grantMissing, .grantUnexpected])
        #expect(items.map(\.object) == ["public.foodlogstats", "public.foodlogstats"])
    }

    @Test("past-year daily views without a yearly table are a pending rollover")
    func rollover() {
        var fixture = WarehouseFixture()
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats_2025")] = nil
        var members: [QualifiedName] = []
        for day in Day("2025-12-30")!.through(Day("2025-12-31")!) {
            let name = QualifiedName(schema: "landb", name: ObjectNames.dailyView("foodlogstats", day))
            fixture.live.relations[name] = WarehouseFixture.dailyView(WarehouseFixture.foodlogstats, name: name, day: day, connection: "landb-prod")
            members.append(name)
        }
        let view = QualifiedName(schema: "landb", name: "foodlogstats")
        fixture.live.relations[view]!.dependsOn.removeAll { $0.name == "foodlogstats_2025" }
        fixture.live.relations[view]!.dependsOn += members
        let items = fixture.detect().items
        #expect(items.map(\.kind) == [.yearRollover])
        #expect(items.first?.found == "2 daily views of 2025 and no yearly table")
    }

    @Test("tenants, connections and leftovers")
    func tenants() {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants.append(Tenant(schema: "bistro", connection: "bistro-prod"))
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats_2026_01_02__shadow")] =
            fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats_2026_01_02")]
        let kinds = Set(fixture.detect().items.map(\.kind))
        #expect(kinds == [.tenantMissing, .connectionMissing, .shadowLeftover])

        var removed = WarehouseFixture()
        removed.desired.settings.tenants.removeAll { $0.schema == "acme" }
        let items = removed.detect().items
        #expect(items.contains { $0.kind == .tenantUnexpected && $0.object == "acme" })
    }

    @Test("reports are deterministic and their JSON has the stable keys")
    func deterministicJSON() throws {
        var fixture = WarehouseFixture()
        fixture.live.relations[landbDay3] = nil
        fixture.desired.templates[0].columns.append(Column(name: "flags", type: ColumnType("text")!))
        let first = fixture.detect()
        let second = fixture.detect()
        #expect(first == second)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.json().utf8)) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        #expect(json["revision"] as? String == "abc123")
        #expect(json["asOf"] as? String == "2026-01-06")
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.count == first.items.count)
        for item in items {
            #expect(Set(item.keys) == ["kind", "template", "tenant", "object", "expected", "found", "remedy", "fix"])
        }
        #expect(first.markdown().contains("| day.missing | foodlogstats | landb |"))
        #expect(first.table().contains("day.missing"))
    }
}
