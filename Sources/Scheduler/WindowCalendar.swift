import Foundation
import WardenModel

/// The maintenance windows of a warehouse, read once: their schedules parsed, their zones found, and
/// their occurrences listed for any instant (DESIGN.md §6).
public struct WindowCalendar: Sendable {
    /// One window with its schedule and zone.
    struct Entry: Sendable {
        var window: MaintenanceWindow
        var schedule: CronSchedule
        var zone: TimeZone
    }

    let entries: [Entry]

    /// Reads `windows`; the error names the window and the field at fault (`schedule`, `duration` or
    /// `timeZone`).
    public init(_ windows: [MaintenanceWindow]) throws {
        var entries: [Entry] = []
        for window in windows {
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule(window.schedule)
            } catch let error as SchedulerError {
                throw SchedulerError(
                    code: error.code, window: window.name, field: "schedule",
                    message: "window \(window.name): the \(error.message); see docs/WINDOWS.md")
            }
            guard window.durationSeconds > 0 else {
                throw SchedulerError(
                    code: .invalidDuration, window: window.name, field: "duration",
                    message: "window \(window.name): duration \(window.durationSeconds)s is not positive; give it a length such as 4h")
            }
            guard let zone = TimeZone(identifier: window.timeZone) else {
                throw SchedulerError(
                    code: .unknownTimeZone, window: window.name, field: "timeZone",
                    message: "window \(window.name): timeZone \"\(window.timeZone)\" is not an IANA zone this machine knows; "
                        + "write e.g. Europe/Berlin or UTC")
            }
            entries.append(Entry(window: window, schedule: schedule, zone: zone))
        }
        self.entries = entries
    }

    /// The windows, as declared.
    public var windows: [MaintenanceWindow] { entries.map(\.window) }

    /// Whether no window is declared: then every step may run at any time.
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether any deny window is declared.
    public var hasDenyWindows: Bool { entries.contains { $0.window.kind == .deny } }

    /// Whether any allow window is declared: then steps that need a window run only inside one.
    public var hasAllowWindows: Bool { entries.contains { $0.window.kind == .allow } }

    /// Occurrences active at `date` (`start <= date < end`), allow and deny, ordered by start, then name.
    /// A window that opened before `date` and is still open counts.
    public func active(at date: Date) -> [WindowOccurrence] {
        var found: [WindowOccurrence] = []
        for entry in entries {
            var stream = OccurrenceStream(entry, from: date, before: date.addingTimeInterval(1))
            while let occurrence = stream.next(), occurrence.start <= date { found.append(occurrence) }
        }
        return found.sorted(by: WindowOccurrence.precedes)
    }

    /// The next `count` occurrences that are active at `date` or start after it, ordered by start, then
    /// name. Each window is looked at up to about five years ahead (``CronSchedule/searchDays``).
    public func upcoming(from date: Date, count: Int) -> [WindowOccurrence] {
        guard count > 0 else { return [] }
        let limit = date.addingTimeInterval(TimeInterval(CronSchedule.searchDays) * TimeInterval(CivilDay.secondsPerDay))
        var found: [WindowOccurrence] = []
        for entry in entries {
            var stream = OccurrenceStream(entry, from: date, before: limit)
            var taken = 0
            while taken < count, let occurrence = stream.next() {
                found.append(occurrence)
                taken += 1
            }
        }
        return Array(found.sorted(by: WindowOccurrence.precedes).prefix(count))
    }

    /// The union of the occurrences of one kind of window active at `date` or starting before `limit`.
    func openings(of kind: MaintenanceWindow.Kind, from date: Date, before limit: Date) -> OpeningUnion {
        OpeningUnion(entries.filter { $0.window.kind == kind }.map { OccurrenceStream($0, from: date, before: limit) })
    }

    /// The first occurrence of a deny window without `manualSync` that starts after `date` and before
    /// `limit`: where a manual override stops.
    func nextStrictDeny(after date: Date, before limit: Date) -> WindowOccurrence? {
        entries.filter { $0.window.kind == .deny && !$0.window.manualSync }
            .compactMap { entry -> WindowOccurrence? in
                var stream = OccurrenceStream(entry, from: date, before: limit)
                while let occurrence = stream.next() {
                    if occurrence.start > date { return occurrence }
                }
                return nil
            }
            .min(by: WindowOccurrence.precedes)
    }
}
