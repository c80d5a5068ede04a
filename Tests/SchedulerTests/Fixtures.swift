import Foundation
import Planner
import Scheduler
import WardenModel

/// An instant written in RFC 3339, e.g. "2026-03-08T07:00:00Z".
func instant(_ text: String) -> Date {
    try! Date(text, strategy: .iso8601)
}

/// The next `count` starts of `schedule` after `date`, in `zone`, as RFC 3339 strings.
func starts(_ schedule: String, after date: String, in zone: String = "UTC", count: Int) throws -> [String] {
    let cron = try CronSchedule(schedule)
    let timeZone = TimeZone(identifier: zone)!
    var found: [String] = []
    var cursor = instant(date)
    while found.count < count, let next = cron.nextStart(after: cursor, in: timeZone) {
        found.append(next.formatted(.iso8601))
        cursor = next
    }
    return found
}

/// A plan step with only what the scheduler reads.
func step(_ id: Int, _ phase: PlanStep.Phase, _ stepClass: PlanStep.StepClass, seconds: Double? = nil) -> PlanStep {
    PlanStep(
        id: id, phase: phase, kind: .replaceTenantView, stepClass: stepClass, targets: ["landb.foodlogstats"],
        statements: ["SELECT 1"], estimateSeconds: seconds)
}

/// The demo warehouse's allow window, in UTC: Sundays 02:00–06:00.
let sundayNight = MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 4 * 3600)

/// The demo warehouse's deny window: from the 28th of each month for four days.
let monthEndClose = MaintenanceWindow(name: "month-end-close", kind: .deny, schedule: "0 0 28 * *", durationSeconds: 96 * 3600)

func makeSchedule(_ windows: [MaintenanceWindow], prepareAhead: Bool = true) throws -> Schedule {
    Schedule(calendar: try WindowCalendar(windows), prepareAhead: prepareAhead)
}
