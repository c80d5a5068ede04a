import Foundation

/// How scheduling decisions read for people: `waiting for window sunday-night: opens 2026-11-29 02:00
/// CST (in 7d 14h)`.
public enum ScheduleText {
    /// `date` on the wall clock of `timeZone`, minutes precision, with the zone's abbreviation.
    public static func local(_ date: Date, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        formatter.timeZone = zone
        // `zzz` knows daylight-saving names (CDT) where `TimeZone.abbreviation(for:)` says GMT-5.
        let isUTC = zone.secondsFromGMT(for: date) == 0 && ["UTC", "GMT", "Etc/UTC"].contains(zone.identifier)
        formatter.dateFormat = isUTC ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }

    /// `date` in RFC 3339, UTC.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The time from `start` to `end` in its two largest units, the smaller one rounded: `7d 14h`,
    /// `3h 5m`, `12m`, `40s`.
    public static func relative(from start: Date, to end: Date) -> String {
        let total = max(0, end.timeIntervalSince(start))
        if total >= 86_400 - 1800 {
            let hours = Int((total / 3600).rounded())
            return hours % 24 > 0 ? "\(hours / 24)d \(hours % 24)h" : "\(hours / 24)d"
        }
        if total >= 3600 - 30 {
            let minutes = Int((total / 60).rounded())
            return minutes % 60 > 0 ? "\(minutes / 60)h \(minutes % 60)m" : "\(minutes / 60)h"
        }
        if total >= 60 { return "\(Int((total / 60).rounded()))m" }
        return "\(Int(total.rounded()))s"
    }

    /// A reason inside a line: without its final period.
    static func sentence(_ reason: String) -> String {
        reason.hasSuffix(".") ? String(reason.dropLast()) : reason
    }

    /// One line for an admission evaluated at `now`.
    public static func line(_ admission: Admission, at now: Date) -> String {
        switch admission {
        case .run(let deadline):
            guard let deadline else { return "now" }
            return "now (may run until \(local(deadline, timeZone: "UTC")), \(relative(from: now, to: deadline)) left)"
        case .wait(let until, let window, let reason):
            guard let until else { return "waiting: \(sentence(reason))" }
            guard let window else {
                // A phase that only follows the one before it is not waiting for anything else.
                if reason.hasPrefix(Schedule.followingPrefix) {
                    return "\(sentence(reason)): \(local(until, timeZone: "UTC")) (in \(relative(from: now, to: until)))"
                }
                return "waiting: \(sentence(reason)); may start \(local(until, timeZone: "UTC")) (in \(relative(from: now, to: until)))"
            }
            if abs(until.timeIntervalSince(window.start)) < 1 {
                return "waiting for window \(window.name): opens \(local(window.start, timeZone: window.timeZone))"
                    + " (in \(relative(from: now, to: window.start)))"
            }
            return "waiting for window \(window.name): may start \(local(until, timeZone: window.timeZone))"
                + " (in \(relative(from: now, to: until))); \(sentence(reason))"
        case .refused(let reason):
            return "refused: \(reason)"
        }
    }
}
