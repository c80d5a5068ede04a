import Foundation

/// A 5-field cron schedule (minute hour day-of-month month day-of-week), read as Vixie cron reads it:
/// when a maintenance window opens (DESIGN.md §6).
///
/// The syntax is the loader's: numbers, `*`, lists, ranges, steps (`*/15`, `0-30/10`), the names
/// `JAN`–`DEC` and `SUN`–`SAT` in any case, and day of week 0 or 7 for Sunday. Not supported: a seconds
/// or year field, macros such as `@daily`, and `L`, `W`, `#` and `?`.
///
/// Days follow Vixie's rule: when both day of month and day of week are restricted (a field is
/// restricted unless it starts with `*`), a day matches if *either* matches; otherwise both must.
/// So `0 0 13 * 5` fires on every 13th and every Friday, while `0 0 */2 * 5` fires only on Fridays
/// that fall on an odd day of the month (`*/2` starts with `*`).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The schedule as written.
    public let expression: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    /// Bits 0 (Sunday) to 6; a 7 in the schedule sets bit 0.
    let daysOfWeek: UInt64
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool
    /// Vixie's "wildcard" schedule: the minute or hour field starts with `*`. Across a daylight-saving
    /// change such a schedule keeps its rhythm in real time; a fixed-time schedule fires once (see
    /// ``nextStart(after:in:)``).
    let isWildcard: Bool
    /// The minutes of the day it fires at, ascending (`hour * 60 + minute`).
    let minutesOfDay: [Int]

    /// How far ``nextStart(after:in:)`` looks: about five years, so a 29 February schedule is always found.
    public static let searchDays = 5 * 366

    /// Parses `expression`; the error names the field at fault.
    public init(_ expression: String) throws {
        self.expression = expression
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if fields.count == 1, fields[0].hasPrefix("@") {
            throw SchedulerError(
                code: .invalidSchedule, window: nil, field: "schedule",
                message: "cron schedule \"\(expression)\" uses a macro, which warden does not read; "
                    + "write 5 fields: minute hour day-of-month month day-of-week")
        }
        guard fields.count == CronField.all.count else {
            throw SchedulerError(
                code: .invalidSchedule, window: nil, field: "schedule",
                message: "cron schedule \"\(expression)\" has \(fields.count) fields; write 5: minute hour day-of-month month day-of-week")
        }
        minutes = try CronField.minute.values(of: fields[0], in: expression)
        hours = try CronField.hour.values(of: fields[1], in: expression)
        daysOfMonth = try CronField.dayOfMonth.values(of: fields[2], in: expression)
        months = try CronField.month.values(of: fields[3], in: expression)
        let weekdays = try CronField.dayOfWeek.values(of: fields[4], in: expression)
        daysOfWeek = (weekdays & 0x7F) | (weekdays >> 7 & 1)
        daysOfMonthRestricted = !fields[2].hasPrefix("*")
        daysOfWeekRestricted = !fields[4].hasPrefix("*")
        isWildcard = fields[0].hasPrefix("*") || fields[1].hasPrefix("*")
        var minutesOfDay: [Int] = []
        for hour in 0..<24 where hours >> UInt64(hour) & 1 == 1 {
            for minute in 0..<60 where minutes >> UInt64(minute) & 1 == 1 { minutesOfDay.append(hour * 60 + minute) }
        }
        self.minutesOfDay = minutesOfDay
    }

    /// The schedule as written.
    public var description: String { expression }

    /// The first start strictly after `date`, read in `timeZone`, or `nil` if none within about five
    /// years (``searchDays``).
    ///
    /// The UTC offset is the one in force at the start. A start that falls in a spring-forward gap
    /// happens at the first instant after the gap (02:30 on a night that jumps from 02:00 to 03:00
    /// starts at 03:00); a start in a fall-back repeat happens once, at the earlier of the two instants.
    /// Schedules whose minute or hour field starts with `*` are Vixie's "wildcard" jobs and keep
    /// their rhythm in real time instead: their starts in a gap do not happen, and their starts in a
    /// repeat happen both times.
    public func nextStart(after date: Date, in timeZone: TimeZone) -> Date? {
        var starts = CronStarts(self, in: timeZone, after: date, days: Self.searchDays)
        return starts.next()
    }

    /// Whether the schedule fires on `day` (Vixie's day-of-month / day-of-week rule).
    func matches(_ day: CivilDay) -> Bool {
        guard months >> UInt64(day.month) & 1 == 1 else { return false }
        let dayOfMonth = daysOfMonth >> UInt64(day.day) & 1 == 1
        let dayOfWeek = daysOfWeek >> UInt64(day.weekday) & 1 == 1
        if daysOfMonthRestricted && daysOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }
}
