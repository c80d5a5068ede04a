import Foundation
import Planner
import Scheduler
import Testing
import WardenModel

@Suite("Admitting steps")
struct ScheduleTests {
    /// Monday 9 March 2026, noon UTC: no window of the fixtures is open.
    let monday = instant("2026-03-09T12:00:00Z")
    /// The next opening of `sundayNight` after `monday`.
    let nextSunday = WindowOccurrence(
        name: "sunday-night", kind: .allow, start: instant("2026-03-15T02:00:00Z"), end: instant("2026-03-15T06:00:00Z"),
        manualSync: false, timeZone: "UTC")

    @Test("without windows every step runs at any time", arguments: PlanStep.StepClass.allCases)
    func noWindows(stepClass: PlanStep.StepClass) throws {
        let schedule = try makeSchedule([], prepareAhead: false)
        for phase in PlanStep.Phase.allCases {
            #expect(schedule.admit(step(1, phase, stepClass, seconds: 86_400 * 30), at: monday) == .run(deadline: nil))
        }
    }

    @Test("an active deny window blocks online steps too, until it closes")
    func denyBlocksOnline() throws {
        let schedule = try makeSchedule([monthEndClose])
        let admission = schedule.admit(step(3, .prepare, .online, seconds: 60), at: instant("2026-03-29T12:00:00Z"))
        guard case .wait(let until, let window, let reason) = admission else {
            Issue.record("expected a wait, got \(admission)")
            return
        }
        #expect(until == instant("2026-04-01T00:00:00Z"))
        #expect(window == nil)
        #expect(reason.contains("deny window month-end-close"))
    }

    @Test("with only deny windows, every class runs outside them until the next one opens", arguments: PlanStep.StepClass.allCases)
    func onlyDenyWindows(stepClass: PlanStep.StepClass) throws {
        let schedule = try makeSchedule([monthEndClose])
        #expect(schedule.admit(step(1, .swap, stepClass, seconds: 60), at: monday) == .run(deadline: instant("2026-03-28T00:00:00Z")))
    }

    @Test("a step that needs a window runs inside an allow window until it closes", arguments: [
        PlanStep.StepClass.briefLock, .blocking, .destructive,
    ])
    func insideAllow(stepClass: PlanStep.StepClass) throws {
        let schedule = try makeSchedule([sundayNight, monthEndClose])
        #expect(schedule.admit(step(1, .swap, stepClass, seconds: 60), at: instant("2026-03-08T03:00:00Z"))
            == .run(deadline: instant("2026-03-08T06:00:00Z")))
    }

    @Test("outside allow windows a step that needs one waits for the next")
    func outsideAllow() throws {
        let schedule = try makeSchedule([sundayNight, monthEndClose])
        let admission = schedule.admit(step(7, .swap, .briefLock, seconds: 1), at: monday)
        guard case .wait(let until, let window, let reason) = admission else {
            Issue.record("expected a wait, got \(admission)")
            return
        }
        #expect(until == nextSunday.start)
        #expect(window == nextSunday)
        #expect(reason.contains("brief-lock swap step 7"))
        #expect(reason.contains("sunday-night"))
    }

    @Test("online steps outside allow windows: prepare runs ahead only with prepareAhead, cleanup always, swap never")
    func onlineOutsideAllow() throws {
        let ahead = try makeSchedule([sundayNight], prepareAhead: true)
        let notAhead = try makeSchedule([sundayNight], prepareAhead: false)
        #expect(ahead.admit(step(1, .prepare, .online, seconds: 3600), at: monday) == .run(deadline: nil))
        #expect(notAhead.admit(step(1, .prepare, .online, seconds: 3600), at: monday).waitsUntil == nextSunday.start)
        #expect(ahead.admit(step(2, .cleanup, .online, seconds: 3600), at: monday) == .run(deadline: nil))
        #expect(notAhead.admit(step(2, .cleanup, .online, seconds: 3600), at: monday) == .run(deadline: nil))
        #expect(ahead.admit(step(3, .swap, .online, seconds: 1), at: monday).waitsUntil == nextSunday.start)
    }

    @Test("deny beats allow: inside both, a step waits for the deny window to close if the allow window is still open then")
    func denyInsideAllow() throws {
        let backup = MaintenanceWindow(name: "backup", kind: .deny, schedule: "0 1 * * 0", durationSeconds: 2 * 3600)
        let schedule = try makeSchedule([sundayNight, backup])
        let admission = schedule.admit(step(4, .swap, .briefLock, seconds: 60), at: instant("2026-03-08T02:30:00Z"))
        guard case .wait(let until, let window, let reason) = admission else {
            Issue.record("expected a wait, got \(admission)")
            return
        }
        #expect(until == instant("2026-03-08T03:00:00Z"))
        #expect(window == nil)
        #expect(reason.contains("deny window backup"))
        #expect(schedule.admit(step(4, .swap, .briefLock, seconds: 60), at: instant("2026-03-08T03:00:00Z"))
            == .run(deadline: instant("2026-03-08T06:00:00Z")))
    }

    @Test("deny beats allow: when the deny window outlasts the allow window, the step waits for the next allow window")
    func denyOutlastsAllow() throws {
        let freeze = MaintenanceWindow(name: "freeze", kind: .deny, schedule: "0 1 8 3 *", durationSeconds: 6 * 3600)
        let schedule = try makeSchedule([sundayNight, freeze])
        let admission = schedule.admit(step(4, .swap, .briefLock, seconds: 60), at: instant("2026-03-08T02:30:00Z"))
        #expect(admission.waitsUntil == nextSunday.start)
        #expect(admission.window == nextSunday)
    }

    @Test("a deny window opening inside the allow window ends what the step may use")
    func denyCutsAllow() throws {
        let backup = MaintenanceWindow(name: "backup", kind: .deny, schedule: "0 5 * * 0", durationSeconds: 3600)
        let schedule = try makeSchedule([sundayNight, backup])
        let sunday = instant("2026-03-08T02:00:00Z")
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: 3 * 3600), at: sunday) == .run(deadline: instant("2026-03-08T05:00:00Z")))
        // Three and a half hours never fit the three hours before the backup.
        let admission = schedule.admit(step(1, .swap, .blocking, seconds: 3.5 * 3600), at: sunday)
        #expect(admission.waitsForever)
        #expect(admission.reason?.contains("lasts at most 3h") == true)
    }

    @Test("allow windows that touch make one opening: a step may run across the seam")
    func touchingAllowWindows() throws {
        let early = MaintenanceWindow(name: "early", kind: .allow, schedule: "0 0 * * 0", durationSeconds: 2 * 3600)
        let late = MaintenanceWindow(name: "late", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 2 * 3600)
        let schedule = try makeSchedule([early, late])
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: 2 * 3600), at: instant("2026-03-08T01:00:00Z"))
            == .run(deadline: instant("2026-03-08T04:00:00Z")))
        #expect(try makeSchedule([early]).admit(step(1, .swap, .blocking, seconds: 2 * 3600), at: instant("2026-03-08T01:00:00Z"))
            .waitsUntil == instant("2026-03-15T00:00:00Z"))
    }

    @Test("a step that does not fit what is left of the window waits for the next one")
    func doesNotFitRest() throws {
        let schedule = try makeSchedule([sundayNight])
        let admission = schedule.admit(step(9, .swap, .blocking, seconds: 2 * 3600), at: instant("2026-03-08T05:00:00Z"))
        guard case .wait(let until, let window, let reason) = admission else {
            Issue.record("expected a wait, got \(admission)")
            return
        }
        #expect(until == nextSunday.start)
        #expect(window == nextSunday)
        #expect(reason.contains("needs 2h but window sunday-night closes at 2026-03-08T06:00:00Z, in 1h"))
    }

    @Test("a step fits when it ends exactly as the window closes; no estimate counts as no time")
    func fitsExactly() throws {
        let schedule = try makeSchedule([sundayNight])
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: 2 * 3600), at: instant("2026-03-08T04:00:00Z"))
            == .run(deadline: instant("2026-03-08T06:00:00Z")))
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: 2 * 3600 + 1), at: instant("2026-03-08T04:00:00Z")).waitsUntil
            == nextSunday.start)
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: nil), at: instant("2026-03-08T05:59:59Z"))
            == .run(deadline: instant("2026-03-08T06:00:00Z")))
    }

    @Test("a step whose estimate never fits waits with no end, and says why")
    func neverFits() throws {
        let short = MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 3600)
        let schedule = try makeSchedule([short])
        let admission = schedule.admit(step(3, .swap, .blocking, seconds: 2 * 3600 + 600), at: monday)
        guard case .wait(let until, let window, let reason) = admission else {
            Issue.record("expected a wait, got \(admission)")
            return
        }
        #expect(until == nil)
        #expect(window == nil)
        #expect(reason.contains("needs 2h 10m, but window sunday-night lasts at most 1h"))
    }

    @Test("a window closing between two steps: the first runs, the second waits for the next window")
    func windowClosesBetweenSteps() throws {
        let schedule = try makeSchedule([sundayNight])
        #expect(schedule.admit(step(1, .swap, .briefLock, seconds: 20 * 60), at: instant("2026-03-08T05:30:00Z"))
            == .run(deadline: instant("2026-03-08T06:00:00Z")))
        let second = schedule.admit(step(2, .swap, .briefLock, seconds: 60), at: instant("2026-03-08T06:05:00Z"))
        #expect(second.waitsUntil == nextSunday.start)
        #expect(second.window == nextSunday)
    }

    @Test("a manual override is refused in an active deny window without manualSync")
    func overrideRefused() throws {
        let schedule = try makeSchedule([sundayNight, monthEndClose])
        let admission = schedule.admit(
            step(1, .prepare, .online, seconds: 60), at: instant("2026-03-29T12:00:00Z"), override: ManualOverride(reason: "hotfix"))
        guard case .refused(let reason) = admission else {
            Issue.record("expected a refusal, got \(admission)")
            return
        }
        #expect(reason.contains("month-end-close"))
        #expect(reason.contains("manualSync"))
    }

    @Test("a manual override runs in an active deny window with manualSync, ignoring allow windows and estimates")
    func overrideAllowed() throws {
        var close = monthEndClose
        close.manualSync = true
        let schedule = try makeSchedule([sundayNight, close])
        let during = instant("2026-03-29T12:00:00Z")
        let big = step(1, .swap, .blocking, seconds: 30 * 3600)
        #expect(schedule.admit(step(1, .swap, .blocking, seconds: 60), at: during).waitsUntil == instant("2026-04-05T02:00:00Z"))
        #expect(schedule.admit(big, at: during).waitsForever)
        #expect(schedule.admit(big, at: during, override: ManualOverride(reason: "hotfix")) == .run(deadline: nil))
        // Outside every window, with a strict deny window ahead: runs until it opens.
        let strict = try makeSchedule([sundayNight, monthEndClose])
        #expect(strict.admit(big, at: monday, override: ManualOverride(reason: "hotfix")) == .run(deadline: instant("2026-03-28T00:00:00Z")))
    }

    @Test("every active deny window must allow manual sync")
    func overrideNeedsEveryDeny() throws {
        var close = monthEndClose
        close.manualSync = true
        let audit = MaintenanceWindow(name: "audit", kind: .deny, schedule: "0 0 29 3 *", durationSeconds: 3600 * 24)
        let schedule = try makeSchedule([close, audit])
        let admission = schedule.admit(step(1, .swap, .briefLock), at: instant("2026-03-29T12:00:00Z"), override: ManualOverride(reason: "x"))
        guard case .refused(let reason) = admission else {
            Issue.record("expected a refusal, got \(admission)")
            return
        }
        #expect(reason.contains("audit"))
    }
}

extension Admission {
    /// The instant a waiting step may start.
    var waitsUntil: Date? {
        if case .wait(let until, _, _) = self { return until }
        return nil
    }

    /// Whether the step waits with no start in sight.
    var waitsForever: Bool {
        if case .wait(nil, nil, _) = self { return true }
        return false
    }

    /// The allow window a waiting step waits for.
    var window: WindowOccurrence? {
        if case .wait(_, let window, _) = self { return window }
        return nil
    }

    /// The sentence of a wait or a refusal.
    var reason: String? {
        switch self {
        case .run: nil
        case .wait(_, _, let reason), .refused(let reason): reason
        }
    }
}
