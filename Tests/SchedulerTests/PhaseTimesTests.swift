import Foundation
import Planner
import Scheduler
import Testing
import WardenModel

@Suite("Phase times")
struct PhaseTimesTests {
    /// Monday 9 March 2026, noon UTC: outside every window of the fixtures.
    let monday = instant("2026-03-09T12:00:00Z")

    /// Two one-hour builds, two one-minute swaps, a half-hour cleanup.
    func threePhasePlan(prepareSeconds: Double = 3600, swapSeconds: Double = 60) -> Plan {
        Plan(
            steps: [
                step(1, .prepare, .online, seconds: prepareSeconds), step(2, .prepare, .online, seconds: prepareSeconds),
                step(3, .swap, .briefLock, seconds: swapSeconds), step(4, .swap, .briefLock, seconds: swapSeconds),
                step(5, .cleanup, .online, seconds: 1800),
            ],
            revision: nil, asOf: Day("2026-03-09")!, strategy: .shadowSwap, notes: [])
    }

    func occurrence(_ start: String, hours: Double = 4) -> WindowOccurrence {
        WindowOccurrence(
            name: "sunday-night", kind: .allow, start: instant(start), end: instant(start).addingTimeInterval(hours * 3600),
            manualSync: false, timeZone: "UTC")
    }

    @Test("outside any window: prepare now, swap when the next window opens, cleanup after the swap")
    func outsideWindow() throws {
        let times = try makeSchedule([sundayNight], prepareAhead: true).phaseTimes(for: threePhasePlan(), at: monday)
        #expect(times.count == 3)
        #expect(times[.prepare] == .run(deadline: nil))
        #expect(times[.swap]?.waitsUntil == instant("2026-03-15T02:00:00Z"))
        #expect(times[.swap]?.window == occurrence("2026-03-15T02:00:00Z"))
        #expect(times[.swap]?.reason?.contains("sunday-night") == true)
        #expect(times[.cleanup]?.waitsUntil == instant("2026-03-15T02:02:00Z"))
        #expect(times[.cleanup]?.window == nil)
        #expect(times[.cleanup]?.reason?.contains("swap phase") == true)
    }

    @Test("with no windows declared, a phase after another says it follows it, not that it is waiting")
    func noWindows() throws {
        let plan = threePhasePlan(prepareSeconds: 1, swapSeconds: 0.01)
        let times = try makeSchedule([], prepareAhead: true).phaseTimes(for: plan, at: monday)
        let swap = try #require(times[.swap])
        #expect(ScheduleText.line(swap, at: monday) == "after the prepare phase, by the estimates: 2026-03-09 12:00 UTC (in 2s)")
        let cleanup = try #require(times[.cleanup])
        #expect(!ScheduleText.line(cleanup, at: monday).hasPrefix("waiting"))
    }

    @Test("without prepareAhead the prepare phase waits for the window too, and the swap follows it")
    func withoutPrepareAhead() throws {
        let times = try makeSchedule([sundayNight], prepareAhead: false).phaseTimes(for: threePhasePlan(), at: monday)
        #expect(times[.prepare]?.waitsUntil == instant("2026-03-15T02:00:00Z"))
        #expect(times[.prepare]?.window == occurrence("2026-03-15T02:00:00Z"))
        #expect(times[.swap]?.waitsUntil == instant("2026-03-15T04:00:00Z"))
        #expect(times[.swap]?.window == nil)
        #expect(times[.cleanup]?.waitsUntil == instant("2026-03-15T04:02:00Z"))
    }

    @Test("a prepare phase that outlasts the wait pushes the swap to a later window")
    func longPrepare() throws {
        // Seven days of builds from Monday noon end on the next Monday noon, after Sunday's window.
        let plan = threePhasePlan(prepareSeconds: 3.5 * 86_400)
        let times = try makeSchedule([sundayNight], prepareAhead: true).phaseTimes(for: plan, at: monday)
        #expect(times[.prepare] == .run(deadline: nil))
        #expect(times[.swap]?.waitsUntil == instant("2026-03-22T02:00:00Z"))
        #expect(times[.swap]?.window == occurrence("2026-03-22T02:00:00Z"))
    }

    @Test("a swap that fits no window leaves the cleanup without a start")
    func swapNeverFits() throws {
        let times = try makeSchedule([sundayNight]).phaseTimes(for: threePhasePlan(swapSeconds: 5 * 3600), at: monday)
        #expect(times[.prepare] == .run(deadline: nil))
        #expect(times[.swap]?.waitsForever == true)
        #expect(times[.cleanup]?.waitsForever == true)
        #expect(times[.cleanup]?.reason?.contains("swap phase") == true)
    }

    @Test("phases without steps are left out")
    func emptyPhases() throws {
        let plan = Plan(
            steps: [step(1, .swap, .briefLock, seconds: 1)], revision: nil, asOf: Day("2026-03-09")!, strategy: .shadowSwap,
            notes: [])
        let times = try makeSchedule([sundayNight]).phaseTimes(for: plan, at: instant("2026-03-08T03:00:00Z"))
        #expect(times == [.swap: .run(deadline: instant("2026-03-08T06:00:00Z"))])
    }

    @Test("a manual override runs every phase now, or refuses them all in a strict deny window")
    func override() throws {
        let schedule = try makeSchedule([sundayNight, monthEndClose])
        let now = schedule.phaseTimes(for: threePhasePlan(), at: monday, override: ManualOverride(reason: "hotfix"))
        #expect(now[.prepare] == .run(deadline: instant("2026-03-28T00:00:00Z")))
        #expect(now[.swap]?.waitsUntil == instant("2026-03-09T14:00:00Z"))
        #expect(now[.cleanup]?.waitsUntil == instant("2026-03-09T14:02:00Z"))
        let refused = schedule.phaseTimes(
            for: threePhasePlan(), at: instant("2026-03-29T12:00:00Z"), override: ManualOverride(reason: "hotfix"))
        for phase in PlanStep.Phase.allCases {
            guard case .refused = refused[phase] else {
                Issue.record("expected \(phase) to be refused, got \(String(describing: refused[phase]))")
                continue
            }
        }
    }
}
