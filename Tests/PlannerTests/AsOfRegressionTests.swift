import Drift
import Planner
import Testing
import WardenModel
import WarehouseFixtures

/// An as-of date in the past (a typo in `--as-of`, a wrong `--at`, a host clock that jumped back) must
/// never quietly take built days and yearly tables out of the views.
@Suite("As-of going back")
struct AsOfRegressionTests {
    /// The fixture's warehouse (built as of 2026-01-06: 2025's yearly tables and five daily views per
    /// tenant), planned at an earlier as-of date.
    func plan(at asOf: Day) -> Plan {
        var fixture = WarehouseFixture()
        fixture.asOf = asOf
        return fixture.plan()
    }

    @Test("an as-of in last year is refused: high risk, the withdrawn days and yearly tables counted")
    func lastYear() throws {
        let plan = plan(at: Day("2025-03-15")!)
        let regression = try #require(plan.asOfRegression)
        #expect(regression.newestBuilt == Day("2026-01-05"))
        #expect(regression.daysWithdrawn == 10)
        #expect(regression.yearlyTablesWithdrawn == 2)
        #expect(regression.overridable)
        #expect(plan.summary.risk == .high)
        #expect(plan.summary.riskReasons.first?.contains("newest built day 2026-01-05") == true)
        #expect(plan.text().contains(
            "refused: as-of 2025-03-15 is not after 2026-01-05, the newest day the warehouse has built: applying would take "
                + "10 built daily views and 2 yearly tables out of the views (a wrong --as-of or --at, or a clock that went back); "
                + "check the date, or pass --allow-moving-back if the warehouse really should move back"))
        // The machine format carries it, so a CI gate on `plan --format json` sees it.
        #expect(plan.json().contains("\"asOfRegression\" : {"))
    }

    @Test("one day back is already a regression: yesterday's view would leave the tenant views")
    func oneDayBack() throws {
        let regression = try #require(plan(at: Day("2026-01-05")!).asOfRegression)
        #expect(regression.daysWithdrawn == 2)
        #expect(regression.yearlyTablesWithdrawn == 0)
    }

    @Test("the as-of the warehouse was built at, and any later one, is no regression")
    func forward() {
        #expect(plan(at: Day("2026-01-06")!).asOfRegression == nil)
        let later = plan(at: Day("2026-01-09")!)
        #expect(later.asOfRegression == nil)
        #expect(later.summary.risk == .low)
    }

    @Test("an as-of year before firstYear is refused whatever the flag, and never renders an empty view body")
    func beforeFirstYear() throws {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2024-06-01")!
        let plan = fixture.plan()
        let regression = try #require(plan.asOfRegression)
        #expect(regression.firstYear == 2025)
        #expect(!regression.overridable)
        #expect(plan.text().contains("refused: as-of 2024-06-01 is before firstYear 2025 of warehouse.yaml"))
        for statement in plan.steps.flatMap(\.statements) {
            #expect(!statement.hasSuffix(" AS"), "an empty view body: \(statement)")
        }
    }

    @Test("the risk survives re-estimation from run history")
    func reestimated() {
        let plan = plan(at: Day("2025-03-15")!).reestimated { _ in 1 }
        #expect(plan.summary.risk == .high)
    }
}
