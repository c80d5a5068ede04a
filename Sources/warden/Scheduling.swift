import ArgumentParser
import Foundation
import Planner
import Scheduler
import WardenModel

/// The maintenance windows of a desired state, as the commands use them.
enum Scheduling {
    /// The schedule of `desired`'s windows under `policy`.
    static func schedule(_ desired: DesiredWarehouse, policy: Policy) throws -> Schedule {
        try Schedule(desired, policy: policy)
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
