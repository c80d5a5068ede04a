import Foundation

/// Where a wall-clock time of a time zone falls in absolute time: once, twice (a fall-back repeat) or
/// not at all (a spring-forward gap).
///
/// Times are whole seconds from 1970-01-01 00:00; a wall-clock time is counted as if its zone were UTC.
enum WallTimeMapping: Equatable {
    /// The usual case.
    case unique(Int64)
    /// The clock went back over this time: it happened at `first`, then again at `second`.
    case repeated(first: Int64, second: Int64)
    /// The clock jumped over this time; `gapEnd` is the instant of the jump, the first instant after
    /// the gap.
    case skipped(gapEnd: Int64)

    /// Where `wall` falls in `zone`.
    ///
    /// The offsets a day before and a day after are the only candidates, which holds unless a zone
    /// changes its offset twice within two days.
    init(wall: Int64, in zone: TimeZone) {
        let before = zone.offset(at: wall - CivilDay.secondsPerDay)
        let after = zone.offset(at: wall + CivilDay.secondsPerDay)
        let valid = Set([before, after]).map { wall - $0 }.filter { zone.offset(at: $0) == wall - $0 }.sorted()
        if valid.count == 2 {
            self = .repeated(first: valid[0], second: valid[1])
            return
        }
        if let instant = valid.first {
            self = .unique(instant)
            return
        }
        // A gap: the jump lies between the instants the two offsets give; find it by bisection.
        var low = wall - max(before, after)
        var high = wall - min(before, after)
        let offsetBefore = zone.offset(at: low)
        guard zone.offset(at: high) != offsetBefore else {
            self = .unique(wall - before)
            return
        }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if zone.offset(at: middle) == offsetBefore { low = middle } else { high = middle }
        }
        self = .skipped(gapEnd: high)
    }
}
