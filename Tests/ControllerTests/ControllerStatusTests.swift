import Controller
import Foundation
import Planner
import Testing
import WardenModel

@Suite("controller status: conditions and the plan view")
struct ControllerStatusTests {
    let start = Date(timeIntervalSince1970: 1_740_880_800)  // 2025-03-02T02:00:00Z

    @Test("a starting controller has every condition, Unknown, in the documented order")
    func startingHasEveryCondition() {
        let status = ControllerStatus.starting(mode: .apply, at: start)
        #expect(status.phase == .starting)
        #expect(!status.leader)
        #expect(status.conditions.map(\.type) == Condition.Kind.allCases)
        #expect(status.conditions.allSatisfy { $0.status == .unknown && $0.lastTransitionTime == start })
    }

    @Test("lastTransitionTime moves only when the status changes, as meta.SetStatusCondition does")
    func transitionTimeMovesOnlyOnChange() {
        var status = ControllerStatus.starting(mode: .apply, at: start)
        let later = start.addingTimeInterval(60)
        let latest = start.addingTimeInterval(120)
        status.setCondition(.gitReachable, .true, reason: "Fetched", message: "fetched main at 0123abcd", at: later)
        status.setCondition(.gitReachable, .true, reason: "Fetched", message: "fetched main at 4567ef01", at: latest)
        let condition = status.condition(.gitReachable)
        #expect(condition?.lastTransitionTime == later)
        #expect(condition?.message == "fetched main at 4567ef01")
        status.setCondition(.gitReachable, .false, reason: "FetchFailed", message: "connection refused", at: latest)
        #expect(status.condition(.gitReachable)?.lastTransitionTime == latest)
        #expect(status.condition(.gitReachable)?.reason == "FetchFailed")
    }

    @Test("a condition set on an empty status is added in Kind order")
    func conditionsStayOrdered() {
        var status = ControllerStatus(leader: false, phase: .standby, mode: .report)
        status.setCondition(.leader, .false, reason: "Standby", message: "pid 812 holds warden.apply", at: start)
        status.setCondition(.ready, .true, reason: "Standby", message: "standing by", at: start)
        #expect(status.conditions.map(\.type) == [.ready, .leader])
    }

    @Test("every key of status is in its JSON, null when empty")
    func everyKeyInJSON() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ControllerStatus.starting(mode: .report, at: start).json().utf8))
                as? [String: Any])
        #expect(Set(json.keys) == [
            "leader", "phase", "mode", "revision", "lastAppliedRevision", "lastGoodRevision", "conditions", "nextWindow",
            "suspended", "lastReconcile", "diagnostics",
        ])
        #expect(json["revision"] is NSNull)
        #expect(json["mode"] as? String == "report")
    }

    @Test("the plan view keeps each phase's steps, SQL and estimates, and says when the phase runs")
    func planView() throws {
        let plan = Plan(
            steps: [
                PlanStep(id: 1, phase: .prepare, kind: .buildShadowDailyView, stepClass: .online, targets: ["t.a__shadow"],
                         statements: ["CREATE MATERIALIZED VIEW t.a__shadow AS SELECT 1"], estimateBytes: 1_610_612_736,
                         estimateSeconds: 250),
                PlanStep(id: 2, phase: .swap, kind: .replaceTenantView, stepClass: .briefLock, targets: ["t.v"],
                         statements: ["SET LOCAL lock_timeout = '50ms'", "CREATE OR REPLACE VIEW t.v AS SELECT 1"],
                         estimateSeconds: 0.05),
            ],
            revision: "0123456789abcdef", asOf: try #require(Day(year: 2025, month: 3, day: 1)), strategy: .shadowSwap, notes: [])
        let view = PlanView(plan: plan) { phase in phase == .prepare ? "now" : "in window nightly" }
        #expect(view.phases.map(\.name) == ["prepare", "swap"])
        #expect(view.phases.map(\.runs) == ["now", "in window nightly"])
        #expect(view.phases[0].steps[0].estimate == "~1.5 GB, 4m 10s")
        #expect(view.phases[1].steps[0].sql == "SET LOCAL lock_timeout = '50ms';\nCREATE OR REPLACE VIEW t.v AS SELECT 1;")
        #expect(view.summary == "2 steps · extra disk 1.5 GB · public-view lock 0.05 s · estimated 4m 10s")
        // The page and `warden plan` count bytes alike (1024), so one plan reads the same in both.
        #expect(plan.text().contains("extra disk for shadows: 1.5 GB"))
        #expect(view.asOf == "2025-03-01")
    }
}
