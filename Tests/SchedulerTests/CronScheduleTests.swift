import Foundation
import Scheduler
import Testing

@Suite("Cron schedules")
struct CronScheduleTests {
    @Test("29 February is found years ahead")
    func leapDay() throws {
        #expect(try starts("0 0 29 2 *", after: "2025-01-01T00:00:00Z", count: 2)
            == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
    }

    @Test("a schedule that never fires has no next start")
    func neverFires() throws {
        #expect(try CronSchedule("0 0 30 2 *").nextStart(after: instant("2026-01-01T00:00:00Z"), in: .gmt) == nil)
    }

    @Test("starts are strictly after the instant given")
    func strictlyAfter() throws {
        #expect(try starts("0 2 * * *", after: "2026-03-02T02:00:00Z", count: 1) == ["2026-03-03T02:00:00Z"])
        #expect(try starts("0 2 * * *", after: "2026-03-02T01:59:59Z", count: 1) == ["2026-03-02T02:00:00Z"])
    }

    @Test("day of month and day of week both restricted: either matches (Vixie)")
    func dayOfMonthOrDayOfWeek() throws {
        // Fridays, and the 13th (a Monday in April).
        #expect(try starts("0 0 13 * 5", after: "2026-03-01T00:00:00Z", count: 8) == [
            "2026-03-06T00:00:00Z", "2026-03-13T00:00:00Z", "2026-03-20T00:00:00Z", "2026-03-27T00:00:00Z",
            "2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z", "2026-04-17T00:00:00Z",
        ])
        // A restricted odd-day list ORs with Fridays too.
        #expect(try starts("0 0 1-31/2 * 5", after: "2026-03-01T00:00:00Z", count: 4) == [
            "2026-03-03T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z",
        ])
    }

    @Test("a field starting with * is unrestricted, so both must match (Vixie)")
    func starredFieldAnds() throws {
        // `*/2` starts with `*`: Fridays that fall on an odd day of the month.
        #expect(try starts("0 0 */2 * 5", after: "2026-03-01T00:00:00Z", count: 4) == [
            "2026-03-13T00:00:00Z", "2026-03-27T00:00:00Z", "2026-04-03T00:00:00Z", "2026-04-17T00:00:00Z",
        ])
        #expect(try starts("0 0 13 * *", after: "2026-03-01T00:00:00Z", count: 2)
            == ["2026-03-13T00:00:00Z", "2026-04-13T00:00:00Z"])
        #expect(try starts("0 0 * * 5", after: "2026-04-09T00:00:00Z", count: 2)
            == ["2026-04-10T00:00:00Z", "2026-04-17T00:00:00Z"])
    }

    @Test("step values", arguments: [
        ("*/15 * * * *", ["2026-03-02T10:15:00Z", "2026-03-02T10:30:00Z", "2026-03-02T10:45:00Z", "2026-03-02T11:00:00Z"]),
        ("10-50/20 * * * *", ["2026-03-02T10:10:00Z", "2026-03-02T10:30:00Z", "2026-03-02T10:50:00Z", "2026-03-02T11:10:00Z"]),
        ("0-30/10 * * * *", ["2026-03-02T10:10:00Z", "2026-03-02T10:20:00Z", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z"]),
        ("5/20 * * * *", ["2026-03-02T10:25:00Z", "2026-03-02T10:45:00Z", "2026-03-02T11:05:00Z", "2026-03-02T11:25:00Z"]),
        ("0 */6 * * *", ["2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z", "2026-03-03T00:00:00Z", "2026-03-03T06:00:00Z"]),
    ])
    func steps(schedule: String, expected: [String]) throws {
        #expect(try starts(schedule, after: "2026-03-02T10:07:00Z", count: 4) == expected)
    }

    @Test("Sunday is 0, 7, SUN or sun", arguments: ["0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "0 0 * * sun"])
    func sunday(schedule: String) throws {
        #expect(try starts(schedule, after: "2026-03-02T00:00:00Z", count: 2)
            == ["2026-03-08T00:00:00Z", "2026-03-15T00:00:00Z"])
    }

    @Test("a weekday range may end on 7")
    func rangeToSeven() throws {
        #expect(try starts("0 0 * * 5-7", after: "2026-03-02T00:00:00Z", count: 4) == [
            "2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-13T00:00:00Z",
        ])
    }

    @Test("month and weekday names, in any case")
    func names() throws {
        #expect(try starts("0 9 * JAN,jul MON-fri", after: "2026-03-01T00:00:00Z", count: 4) == [
            "2026-07-01T09:00:00Z", "2026-07-02T09:00:00Z", "2026-07-03T09:00:00Z", "2026-07-06T09:00:00Z",
        ])
        #expect(try starts("0 0 1 feb-APR *", after: "2026-01-15T00:00:00Z", count: 4) == [
            "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2027-02-01T00:00:00Z",
        ])
    }

    @Test("the schedule is read in the zone, with the offset in force at the start")
    func zoneOffsetAtStart() throws {
        #expect(try starts("0 2 * * 0", after: "2026-01-01T00:00:00Z", in: "America/Chicago", count: 1) == ["2026-01-04T08:00:00Z"])
        #expect(try starts("0 2 * * 0", after: "2026-07-01T00:00:00Z", in: "America/Chicago", count: 1) == ["2026-07-05T07:00:00Z"])
    }

    @Test("what does not parse names its field", arguments: [
        ("61 0 * * *", "minute"), ("0 24 * * *", "hour"), ("0 0 0 * *", "day of month"), ("0 0 L * *", "day of month"),
        ("0 0 15W * *", "day of month"), ("0 0 ? * *", "day of month"), ("0 0 * 13 *", "month"), ("0 0 * * 8", "day of week"),
        ("0 0 * * 5L", "day of week"), ("0 0 * * 1#2", "day of week"), ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"),
        ("0,,5 * * * *", "minute"), ("@daily", "schedule"), ("0 0 0 * * *", "schedule"), ("0 0 * * * 2026", "schedule"),
        ("", "schedule"),
    ])
    func rejects(schedule: String, field: String) {
        #expect {
            try CronSchedule(schedule)
        } throws: { error in
            guard let error = error as? SchedulerError else { return false }
            return error.field == field && error.code == .invalidSchedule && "\(error)".contains(field == "schedule" ? "5" : field)
        }
    }
}
