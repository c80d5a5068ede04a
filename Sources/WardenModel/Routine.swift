import Foundation

/// The warehouse's daily life (DESIGN.md §6b, `routine:` of `warehouse.yaml`): when a day is due, and
/// whether routine work runs inside deny windows. Routine work is not a change and is never held by
/// allow windows.
public struct Routine: Sendable, Hashable, Codable {
    /// Whether routine work runs inside deny windows.
    public enum InDenyWindows: String, Sendable, Hashable, Codable, CaseIterable {
        /// Routine runs through deny windows (the default): month-end close is when finance needs the days.
        case run
        /// Routine waits for deny windows to close, like changes.
        case hold
    }

    /// Minutes after midnight, in the warehouse time zone, after which yesterday is due (`buildAfter`).
    public var buildAfterMinutes: Int
    public var inDenyWindows: InDenyWindows
    /// How many days before yesterday are re-read from the source once per routine day, so late rows
    /// appear (`lookbackDays`, 0 … 366).
    public var lookbackDays: Int

    /// The most `lookbackDays` may be: a year and a day.
    public static let maximumLookbackDays = 366

    public init(buildAfterMinutes: Int = 0, inDenyWindows: InDenyWindows = .run, lookbackDays: Int = 0) {
        self.buildAfterMinutes = buildAfterMinutes
        self.inDenyWindows = inDenyWindows
        self.lookbackDays = lookbackDays
    }

    /// The days lookback re-reads at `asOf`: the `lookbackDays` days before yesterday, oldest first.
    public func lookback(asOf: Day) -> [Day] {
        guard lookbackDays > 0 else { return [] }
        let yesterday = asOf.previous
        return (1...lookbackDays).reversed().map { yesterday.adding(days: -$0) }
    }

    /// `buildAfter` as written in `warehouse.yaml`: "01:00".
    public var buildAfterText: String {
        let hours = buildAfterMinutes / 60, minutes = buildAfterMinutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// Minutes after midnight of "HH:MM" (00:00 … 23:59), or `nil`.
    public static func minutes(of text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }

    /// The as-of day at `instant` in `timeZone`: today, once `buildAfter` has passed (so yesterday is
    /// the newest day due), else yesterday (so the day before yesterday is). Wall time, so a DST change
    /// moves the instant, not the hour.
    public func asOf(at instant: Date, timeZone: String) -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let today = Day(year: parts.year!, month: parts.month!, day: parts.day!)!
        return parts.hour! * 60 + parts.minute! >= buildAfterMinutes ? today : today.previous
    }

    /// When day `asOf − 1` became (or becomes) due: `buildAfter` on `asOf`, in `timeZone`. A wall time a
    /// DST change skips is taken as the first instant after the gap.
    public func dueInstant(of asOf: Day, timeZone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: asOf.year, month: asOf.month, day: asOf.day, hour: buildAfterMinutes / 60, minute: buildAfterMinutes % 60)
        return calendar.date(from: components)!
    }
}
