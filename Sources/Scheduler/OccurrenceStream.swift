import Foundation
import WardenModel

/// The occurrences of one window that are active at an instant or start after it, ascending, up to a
/// limit on their starts.
struct OccurrenceStream: IteratorProtocol {
    let entry: WindowCalendar.Entry
    let limit: Date
    private var starts: CronStarts

    /// Occurrences active at `date` or starting after it, with a start before `limit`.
    init(_ entry: WindowCalendar.Entry, from date: Date, before limit: Date) {
        self.entry = entry
        self.limit = limit
        let duration = TimeInterval(entry.window.durationSeconds)
        // A start after `date - duration` is still open at `date`.
        let after = date.addingTimeInterval(-duration)
        let days = Int((limit.timeIntervalSince(after) / TimeInterval(CivilDay.secondsPerDay)).rounded(.up)) + 1
        starts = CronStarts(entry.schedule, in: entry.zone, after: after, days: max(days, 1))
    }

    mutating func next() -> WindowOccurrence? {
        guard let start = starts.next(), start < limit else { return nil }
        let window = entry.window
        return WindowOccurrence(
            name: window.name, kind: window.kind, start: start,
            end: start.addingTimeInterval(TimeInterval(window.durationSeconds)), manualSync: window.manualSync,
            timeZone: window.timeZone)
    }
}
