import Foundation
import Planner
import Scheduler
import Testing
import WardenModel

@Suite("Admitting routine steps")
struct RoutineAdmissionTests {
    /// Monday 9 March 2026, noon UTC: no window is open.
    let monday = instant("2026-03-09T12:00:00Z")
    /// Inside month-end-close (28 March 00:00 UTC for 96 h).
    let monthEnd = instant("2026-03-29T12:00:00Z")

    func routine(_ phase: PlanStep.Phase, _ stepClass: PlanStep.StepClass) -> PlanStep {
        var routine = step(1, phase, stepClass, seconds: 60)
        routine.work = .routine
        return routine
    }

    @Test("allow windows never hold routine steps, whatever their phase and class", arguments: PlanStep.StepClass.allCases)
    func allowWindowsDoNotHold(stepClass: PlanStep.StepClass) throws {
        let schedule = try makeSchedule([sundayNight], prepareAhead: false)
        for phase in PlanStep.Phase.allCases {
            #expect(schedule.admit(routine(phase, stepClass), at: monday) == .run(deadline: nil))
            #expect(!schedule.needsAllowWindow(routine(phase, stepClass)))
        }
        // The same swap step as part of a change waits for Sunday.
        guard case .wait(_, let window?, _) = schedule.admit(step(1, .swap, stepClass, seconds: 60), at: monday) else {
            Issue.record("a change's swap step waits for the allow window")
            return
        }
        #expect(window.name == "sunday-night")
    }

    @Test("inDenyWindows: run (the default) runs routine steps through a deny window; hold waits for it to close")
    func denyWindows() throws {
        let windows = try WindowCalendar([sundayNight, monthEndClose])
        let running = Schedule(calendar: windows, prepareAhead: true)
        #expect(running.admit(routine(.swap, .briefLock), at: monthEnd) == .run(deadline: nil))
        let holding = Schedule(calendar: windows, prepareAhead: true, routineInDenyWindows: .hold)
        guard case .wait(let until, let window, let reason) = holding.admit(routine(.swap, .briefLock), at: monthEnd) else {
            Issue.record("a held routine step waits for the deny window")
            return
        }
        #expect(until == instant("2026-04-01T00:00:00Z"))
        #expect(window == nil, "it waits for the deny window to close, not for an allow window")
        #expect(reason.hasPrefix("routine brief-lock swap step 1 waits: deny window month-end-close"), "\(reason)")
        // Outside deny windows a held routine still needs no allow window.
        #expect(holding.admit(routine(.swap, .briefLock), at: monday) == .run(deadline: instant("2026-03-28T00:00:00Z")))
    }
}
