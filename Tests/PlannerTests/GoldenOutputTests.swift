import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// The outputs people and machines read, against the golden files in `Tests/Goldens/`: seed 000's
/// added column on the fixture warehouse, waiting for its window, with a tenant whose foreign server
/// does not exist yet and two shadows an earlier apply prepared.
@Suite("Golden outputs")
struct GoldenOutputTests {
    /// The scenario, its drift (set aside and annotated) and its plan (with `when`).
    static func scenario() -> (drift: DriftReport, plan: Plan) {
        var fixture = WarehouseFixture()
        fixture.appendWasteCategory()
        fixture.desired.settings.tenants.append(Tenant(schema: "west", connection: "west-prod"))
        let template = fixture.desired.templates[0]
        for day in [Day("2026-01-02")!, Day("2026-01-03")!] {
            let shadow = QualifiedName(schema: "landb", name: ObjectNames.shadow(ObjectNames.dailyView(template.name, day)))
            var relation = WarehouseFixture.dailyView(template, name: shadow, day: day, connection: "landb-prod")
            relation.comment = ObjectStamp(specHash: template.dailyViewSpecHash(day: day, connection: "landb-prod"), revision: "abc123").description
            fixture.live.relations[shadow] = relation
        }
        var plan = fixture.plan()
        plan.when = PlanSchedule(evaluatedAt: "2026-01-06T12:00:00Z", phases: [
            PhaseWhen(phase: .prepare, status: .now, start: "2026-01-06T12:00:00Z", deadline: "2026-01-16T06:00:00Z", window: nil,
                      text: "now (may run until 2026-01-16 06:00 UTC, 9d 18h left)"),
            PhaseWhen(phase: .swap, status: .waiting, start: "2026-01-11T08:00:00Z", deadline: "2026-01-11T12:00:00Z",
                      window: "sunday-night", text: "waiting for window sunday-night: opens 2026-01-11 02:00 CST (in 4d 20h)"),
            PhaseWhen(phase: .cleanup, status: .waiting, start: "2026-01-11T08:00:01Z", deadline: nil, window: nil,
                      text: "after the swap phase, by the estimates: 2026-01-11 08:00 UTC (in 4d 20h)"),
        ])
        let drift = fixture.detect().settingAside(progressOf: plan).annotated(by: plan)
        return (drift, plan)
    }

    @Test("plan text: the summary people review")
    func planText() {
        let text = Self.scenario().plan.text()
        #expect(Golden.mismatch(text, "plan-added-column.txt") == nil, "\(Golden.mismatch(text, "plan-added-column.txt") ?? "")")
    }

    @Test("plan text with --sql: the summary, then every step and its SQL")
    func planTextWithSQL() {
        let text = Self.scenario().plan.text(sql: true)
        #expect(Golden.mismatch(text, "plan-added-column-sql.txt") == nil, "\(Golden.mismatch(text, "plan-added-column-sql.txt") ?? "")")
    }

    @Test("plan JSON: the machine format")
    func planJSON() {
        let json = Self.scenario().plan.json() + "\n"
        #expect(Golden.mismatch(json, "plan-added-column.json") == nil, "\(Golden.mismatch(json, "plan-added-column.json") ?? "")")
    }

    @Test("drift table, Markdown and JSON")
    func drift() {
        let drift = Self.scenario().drift
        for (output, name) in [(drift.table(), "drift-added-column.txt"), (drift.markdown(), "drift-added-column.md"),
                               (drift.json() + "\n", "drift-added-column.json")] {
            #expect(Golden.mismatch(output, name) == nil, "\(Golden.mismatch(output, name) ?? "")")
        }
    }

    @Test("a drift table never cuts an object mid-word: a long name is printed whole and FOUND moves below it")
    func longObjectNames() {
        let long = "tenant_with_a_rather_long_schema_name_for_testing.foodlogstats_2026_01_02__shadow"
        let report = DriftReport(revision: nil, asOf: Day("2026-01-06")!, items: [
            DriftItem(kind: .shadowLeftover, tenant: "tenant_with_a_rather_long_schema_name_for_testing", object: long,
                      expected: "no shadow object", found: "a leftover", remedy: "drop it"),
        ])
        let table = report.table()
        #expect(table.contains(long), "\(table)")
        #expect(Golden.mismatch(table, "drift-long-object.txt") == nil, "\(Golden.mismatch(table, "drift-long-object.txt") ?? "")")
    }
}

@Suite("Plans people can review")
struct ReviewablePlanTests {
    @Test("seed 000's added column over 12 tenants × 120 days: the plan text is a page, every line readable; --sql has every step")
    func largePlanIsAPage() {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants = (1...12).map { Tenant(schema: "tenant\($0)", connection: "tenant\($0)-prod") }
        fixture.desired.settings.grants = []
        fixture.asOf = Day("2026-05-01")!
        fixture.live = LiveWarehouse()
        fixture.live.roles = ["postgres"]
        fixture.build()
        fixture.appendWasteCategory()
        let plan = fixture.plan()
        #expect(plan.steps.count > 12 * 120)
        let lines = plan.text().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 40, "\(plan.text())")
        #expect(lines.allSatisfy { $0.count <= 200 }, "\(lines.max { $0.count < $1.count } ?? "")")
        #expect(plan.text().contains("  [1–1440]  1440 × build shadow daily view · foodlogstats · 12 tenants (tenant1, tenant10, tenant11, tenant12, … (+8 more)) · 2026-01-01…2026-04-30 · online"),
                "\(plan.text())")
        let full = plan.text(sql: true).split(separator: "\n")
        let listed = Set(full.compactMap { line -> Int? in
            guard line.hasPrefix("["), let end = line.firstIndex(of: "]") else { return nil }
            return Int(line[line.index(after: line.startIndex)..<end])
        })
        #expect(listed == Set(plan.steps.map(\.id)))
    }
}
