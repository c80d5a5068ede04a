import Drift
import Foundation
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// Drift that tells the truth about a pending plan (issue 15): one item per change, the plan's own
/// shadows as progress, and when each item will be fixed.
@Suite("Drift beside its plan")
struct DriftProgressTests {
    @Test("an added column whose query names it is one drift item, not a column item and a query item")
    func oneChangeOneItem() {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let kinds = fixture.detect().items.map(\.kind)
        #expect(kinds.filter { $0 != .registry } == [.columnAdded], "\(kinds)")
        // The plan still rebuilds every day from the new query.
        let plan = fixture.plan()
        let builds = plan.steps.filter { $0.kind == .buildShadowDailyView }
        #expect(builds.count == 10)
        #expect(builds.allSatisfy { $0.statements.joined().contains("pf.waste_category") })

        // A query edit alone is still its own item.
        var query = WarehouseFixture()
        query.desired.templates[0].query += "\n  AND pf.flags IS NULL"
        #expect(query.detect().items.map(\.kind).contains(.queryChanged))
    }

    @Test("shadows the pending plan swaps in as they are are its progress; a shadow no plan reuses stays shadow.leftover")
    func preparedShadowsAreProgress() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        let template = fixture.desired.templates[0]
        // What a prepare-ahead apply leaves while its swap waits for a window: stamped, finished shadows.
        var shadows: [QualifiedName] = []
        for day in [Day("2026-01-02")!, Day("2026-01-03")!] {
            let shadow = QualifiedName(schema: "landb", name: ObjectNames.shadow(ObjectNames.dailyView(template.name, day)))
            var relation = WarehouseFixture.dailyView(template, name: shadow, day: day, connection: "landb-prod")
            relation.comment = ObjectStamp(specHash: template.dailyViewSpecHash(day: day, connection: "landb-prod"), revision: "abc123").description
            fixture.live.relations[shadow] = relation
            shadows.append(shadow)
        }
        // And one from another spec, which the plan drops and rebuilds.
        let stale = QualifiedName(schema: "acme", name: ObjectNames.shadow(ObjectNames.dailyView(template.name, Day("2026-01-02")!)))
        var staleRelation = WarehouseFixture.dailyView(template, name: stale, day: Day("2026-01-02")!, connection: "acme-prod")
        staleRelation.comment = ObjectStamp(specHash: "0000000000000000").description
        fixture.live.relations[stale] = staleRelation

        let raw = fixture.detect()
        #expect(raw.items.filter { $0.kind == .shadowLeftover }.count == 3)
        let plan = fixture.plan()
        #expect(plan.prepared == shadows.map(\.description))
        let report = raw.settingAside(progressOf: plan)
        #expect(report.items.filter { $0.kind == .shadowLeftover }.map(\.object) == [stale.description])
        #expect(report.preparedShadows == 2)
        #expect(report.table().contains("progress: 2 shadows built by an earlier apply wait for the plan's swap (not drift)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["preparedShadows"] as? Int == 2)
    }

    @Test("every drift item says when the plan fixes it, or why no plan does")
    func everyItemSaysWhen() throws {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        fixture.desired.settings.tenants.append(Tenant(schema: "west", connection: "west-prod"))
        var plan = fixture.plan()
        plan.when = PlanSchedule(evaluatedAt: "2026-01-06T12:00:00Z", phases: [
            PhaseWhen(phase: .prepare, status: .now, start: "2026-01-06T12:00:00Z", deadline: nil, window: nil, text: "now"),
            PhaseWhen(phase: .swap, status: .waiting, start: "2026-01-11T08:00:00Z", deadline: "2026-01-11T12:00:00Z",
                      window: "sunday-night", text: "waiting for window sunday-night: opens 2026-01-11 02:00 CST (in 4d 20h)"),
            PhaseWhen(phase: .cleanup, status: .waiting, start: "2026-01-11T08:00:01Z", deadline: nil, window: nil,
                      text: "after the swap phase, by the estimates: 2026-01-11 08:00 UTC (in 4d 20h)"),
        ])
        let report = fixture.detect().settingAside(progressOf: plan).annotated(by: plan)
        #expect(!report.items.isEmpty)
        #expect(report.items.allSatisfy { $0.fix != nil })
        let column = try #require(report.items.first { $0.kind == .columnAdded })
        #expect(column.fix?.status == .waiting)
        #expect(column.fix?.phase == "cleanup")
        #expect(column.fix?.start == "2026-01-11T08:00:01Z")
        let missing = try #require(report.items.first { $0.kind == .connectionMissing })
        #expect(missing.fix?.status == .notPlanned)
        #expect(missing.fix?.text.hasPrefix("not planned yet: ") == true)
        #expect(report.table().contains("fixed:    cleanup: after the swap phase, by the estimates: 2026-01-11 08:00 UTC (in 4d 20h)"))
        #expect(report.markdown().contains("| remedy | fixed |"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.allSatisfy { ($0["fix"] as? [String: Any]).map { Set($0.keys) == ["status", "phase", "start", "text"] } == true })
    }
}
