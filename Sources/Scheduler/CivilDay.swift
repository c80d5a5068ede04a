/// A day of the proleptic Gregorian calendar, numbered from 1970-01-01, with its date parts.
///
/// Cron fields are read on wall-clock dates; counting days with integer arithmetic keeps the scheduler
/// independent of `Calendar` and of the machine's locale.
struct CivilDay: Hashable, Comparable {
    /// Days since 1970-01-01 (negative before it).
    var number: Int
    var year: Int
    /// 1 to 12.
    var month: Int
    /// 1 to 31.
    var day: Int

    static let secondsPerDay: Int64 = 86_400

    /// The day `number` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    init(number: Int) {
        self.number = number
        let shifted = number + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The day that contains `wallSeconds`, a wall-clock time counted in seconds from 1970-01-01 00:00.
    init(containing wallSeconds: Int64) {
        let (quotient, remainder) = wallSeconds.quotientAndRemainder(dividingBy: Self.secondsPerDay)
        self.init(number: Int(remainder < 0 ? quotient - 1 : quotient))
    }

    /// 0 for Sunday through 6 for Saturday (1970-01-01 was a Thursday).
    var weekday: Int { ((number % 7) + 11) % 7 }

    /// The wall-clock second at which the day begins.
    var startSeconds: Int64 { Int64(number) * Self.secondsPerDay }

    /// The day after.
    var next: CivilDay { CivilDay(number: number + 1) }

    static func < (lhs: CivilDay, rhs: CivilDay) -> Bool { lhs.number < rhs.number }
}
