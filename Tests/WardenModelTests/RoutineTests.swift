import Foundation
import Testing
import WardenModel

@Suite("routine.buildAfter: when yesterday is due")
struct RoutineTests {
    func instant(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("before buildAfter the as-of day is yesterday (so yesterday is not due); from it, today")
    func beforeAndAfter() {
        let routine = Routine(buildAfterMinutes: 2 * 60)
        #expect(routine.asOf(at: instant("2026-01-06T00:30:00Z"), timeZone: "UTC") == Day("2026-01-05"))
        #expect(routine.asOf(at: instant("2026-01-06T01:59:59Z"), timeZone: "UTC") == Day("2026-01-05"))
        #expect(routine.asOf(at: instant("2026-01-06T02:00:00Z"), timeZone: "UTC") == Day("2026-01-06"))
        #expect(Routine().asOf(at: instant("2026-01-06T00:00:00Z"), timeZone: "UTC") == Day("2026-01-06"))
    }

    @Test("buildAfter is wall time in the warehouse zone, on both sides of a DST change")
    func daylightSaving() {
        let routine = Routine(buildAfterMinutes: 3 * 60)
        let zone = "America/Chicago"
        // Saturday 7 March 2026 (CST, UTC-6): 03:00 local is 09:00 UTC.
        #expect(routine.asOf(at: instant("2026-03-07T08:59:00Z"), timeZone: zone) == Day("2026-03-06"))
        #expect(routine.asOf(at: instant("2026-03-07T09:00:00Z"), timeZone: zone) == Day("2026-03-07"))
        // Sunday 8 March, the spring-forward day: 03:00 CDT (UTC-5) is 08:00 UTC; 02:xx does not exist.
        #expect(routine.asOf(at: instant("2026-03-08T07:59:00Z"), timeZone: zone) == Day("2026-03-07"))
        #expect(routine.asOf(at: instant("2026-03-08T08:00:00Z"), timeZone: zone) == Day("2026-03-08"))
        #expect(routine.dueInstant(of: Day("2026-03-08")!, timeZone: zone) == instant("2026-03-08T08:00:00Z"))
        // Sunday 1 November, fall-back: 03:00 CST is 09:00 UTC.
        #expect(routine.asOf(at: instant("2026-11-01T08:30:00Z"), timeZone: zone) == Day("2026-10-31"))
        #expect(routine.asOf(at: instant("2026-11-01T09:00:00Z"), timeZone: zone) == Day("2026-11-01"))
        // Days and hours are the zone's, not UTC's: 01:00 CST on the 7th is 07:00 UTC, past 03:00 in UTC.
        #expect(routine.asOf(at: instant("2026-03-07T07:00:00Z"), timeZone: zone) == Day("2026-03-06"))
        #expect(routine.asOf(at: instant("2026-03-07T07:00:00Z"), timeZone: "UTC") == Day("2026-03-07"))
    }

    @Test("buildAfter is written HH:MM, 00:00 through 23:59")
    func parsing() {
        #expect(Routine.minutes(of: "01:30") == 90)
        #expect(Routine.minutes(of: "00:00") == 0)
        #expect(Routine.minutes(of: "23:59") == 1439)
        for bad in ["24:00", "1:30", "01:60", "0130", "01:3", "ab:cd", "", "01:30:00"] { #expect(Routine.minutes(of: bad) == nil, "\(bad)") }
        #expect(Routine(buildAfterMinutes: 90).buildAfterText == "01:30")
    }
}
