import Foundation

/// The starts of a cron schedule in a time zone, ascending, strictly after an instant: what
/// ``CronSchedule/nextStart(after:in:)`` and the window calendar walk through.
///
/// Days are expanded one at a time in the zone's wall clock. A day without a clock change maps with
/// one offset; a day with one maps each start on its own (``WallTimeMapping``), which is where the
/// gap and repeat rules apply. Starts wait in `pending` until no later day can produce an earlier one.
struct CronStarts: IteratorProtocol, Sequence {
    let schedule: CronSchedule
    let zone: TimeZone
    let after: Date
    /// The next day to expand.
    private var day: CivilDay
    /// The last day to expand.
    private let lastDay: Int
    private var pending: [Int64] = []
    private var head = 0
    private var lastStart: Int64?

    /// The starts after `date`, found within `days` days of it.
    init(_ schedule: CronSchedule, in zone: TimeZone, after date: Date, days: Int) {
        self.schedule = schedule
        self.zone = zone
        self.after = date
        let instant = Int64(date.timeIntervalSince1970.rounded(.down))
        // From the day before: a repeat across midnight can put a start of that day after `date`.
        day = CivilDay(number: CivilDay(containing: instant + zone.offset(at: instant)).number - 1)
        lastDay = day.number + days + 2
    }

    /// The next start, or `nil` when none is left within the days searched.
    mutating func next() -> Date? {
        while true {
            // Every start of `day` or later falls after `day` begins less a day: offsets stay within a day.
            if head < pending.count, day.number > lastDay || pending[head] < day.startSeconds - CivilDay.secondsPerDay {
                let start = pending[head]
                head += 1
                if TimeInterval(start) > after.timeIntervalSince1970, lastStart.map({ start > $0 }) ?? true {
                    lastStart = start
                    return Date(timeIntervalSince1970: TimeInterval(start))
                }
                continue
            }
            if day.number > lastDay { return nil }
            expand(day)
            day = day.next
        }
    }

    /// Adds the starts of `day` to `pending`.
    private mutating func expand(_ day: CivilDay) {
        guard schedule.matches(day), !schedule.minutesOfDay.isEmpty else { return }
        pending.removeFirst(head)
        head = 0
        let previousLast = pending.last
        let wallStart = day.startSeconds
        if case .unique(let first) = WallTimeMapping(wall: wallStart, in: zone),
            case .unique(let end) = WallTimeMapping(wall: wallStart + CivilDay.secondsPerDay, in: zone),
            end - first == CivilDay.secondsPerDay
        {
            pending += schedule.minutesOfDay.map { first + Int64($0) * 60 }
        } else {
            for minute in schedule.minutesOfDay {
                switch WallTimeMapping(wall: wallStart + Int64(minute) * 60, in: zone) {
                case .unique(let instant):
                    pending.append(instant)
                case .repeated(let first, let second):
                    pending.append(first)
                    if schedule.isWildcard { pending.append(second) }
                case .skipped(let gapEnd):
                    if !schedule.isWildcard { pending.append(gapEnd) }
                }
            }
            pending.sort()
            return
        }
        if let previousLast, let firstNew = pending.dropFirst(pending.count - schedule.minutesOfDay.count).first,
            firstNew < previousLast
        {
            pending.sort()
        }
    }
}
