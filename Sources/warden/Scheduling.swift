import ArgumentParser
import Foundation
import Planner
import Scheduler
import WardenModel

/// The planner's plan, by a name the commands' own `Warden.Plan` does not hide.
typealias StepPlan = Plan

/// The maintenance windows of a desired state, as the commands use them.
enum Scheduling {
    /// The schedule of `desired`'s windows under `policy`.
    static func schedule(_ desired: DesiredWarehouse, policy: Policy) throws -> Schedule {
        try Schedule(desired, policy: policy)
    }

    /// The routine's summary (when it has steps), then the change's (when it has steps or notes, or
    /// when there is no routine either, so that "nothing to do" is said), each with when it runs.
    static func text(routine: Plan, change: Plan, schedule: Schedule, at now: Date, override: ManualOverride?, sql: Bool = false) -> String {
        var parts: [String] = []
        if !routine.isEmpty {
            var scheduled = routine
            scheduled.when = schedule.planSchedule(for: routine, at: now)
            parts.append(scheduled.text(sql: sql))
        }
        if routine.isEmpty || !change.isEmpty || !change.notes.isEmpty || change.asOfRegression != nil {
            var scheduled = change
            if !change.isEmpty { scheduled.when = schedule.planSchedule(for: change, at: now, override: override) }
            parts.append(scheduled.text(sql: sql))
        }
        return parts.joined(separator: "\n")
    }

    /// `when:` lines, one per phase of `plan`: when it would start if the apply began at `now`.
    static func phaseLines(_ plan: Plan, schedule: Schedule, at now: Date, override: ManualOverride?) -> String {
        let times = schedule.phaseTimes(for: plan, at: now, override: override)
        var lines = ["", "when (evaluated at \(ScheduleText.rfc3339(now))):"]
        for phase in PlanStep.Phase.allCases where !plan.steps(in: phase).isEmpty {
            guard let admission = times[phase] else { continue }
            lines.append("  \(phase.rawValue): \(ScheduleText.line(admission, at: now))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
