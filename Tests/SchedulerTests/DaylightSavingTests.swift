import Foundation
import Scheduler
import Testing
import WardenModel

/// Windows across the 2026 clock changes of New York (8 March, 1 November) and Berlin (29 March,
/// 25 October).
@Suite("Daylight saving time")
struct DaylightSavingTests {
    @Test("a start inside the spring-forward gap happens when the gap ends")
    func startInGap() throws {
        // 02:30 does not exist in New York on 8 March: the window opens at 03:00 EDT (07:00Z).
        #expect(try starts("30 2 * * *", after: "2026-03-07T12:00:00Z", in: "America/New_York", count: 2)
            == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        // Nor in Berlin on 29 March: 03:00 CEST is 01:00Z.
        #expect(try starts("30 2 * * *", after: "2026-03-28T12:00:00Z", in: "Europe/Berlin", count: 2)
            == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
    }

    @Test("several starts inside the gap make one start")
    func severalStartsInGap() throws {
        #expect(try starts("0,30 2 * * *", after: "2026-03-07T12:00:00Z", in: "America/New_York", count: 3)
            == ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:30:00Z"])
    }

    @Test("a start inside the fall-back repeat happens once, the first time")
    func startInRepeat() throws {
        // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST) on 1 November; only the first counts.
        #expect(try starts("30 1 * * *", after: "2026-10-31T12:00:00Z", in: "America/New_York", count: 2)
            == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
        // 02:30 happens at 00:30Z (CEST) and 01:30Z (CET) in Berlin on 25 October.
        #expect(try starts("30 2 * * *", after: "2026-10-24T12:00:00Z", in: "Europe/Berlin", count: 2)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        // Asked between the two 01:30s, the next start is the next day's.
        #expect(try starts("30 1 * * *", after: "2026-11-01T06:00:00Z", in: "America/New_York", count: 1)
            == ["2026-11-02T06:30:00Z"])
    }

    @Test("a wildcard-hour schedule keeps its rhythm in real time, as Vixie's wildcard jobs do")
    func wildcardAcrossChanges() throws {
        // Hourly at :30: no 02:30 on the spring night, and no extra start at 03:00.
        #expect(try starts("30 * * * *", after: "2026-03-08T06:00:00Z", in: "America/New_York", count: 2)
            == ["2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"])
        // On the autumn night 01:30 happens twice, and so does the start.
        #expect(try starts("30 * * * *", after: "2026-11-01T05:00:00Z", in: "America/New_York", count: 3)
            == ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"])
    }

    @Test("a window across the spring change ends its duration after its start, in absolute time")
    func windowSpanningSpringChange() throws {
        // Opens at 00:00 EST (05:00Z) for 4 hours: closes at 09:00Z, which is 05:00 EDT on the wall clock.
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "night", kind: .allow, schedule: "0 0 8 3 *", durationSeconds: 4 * 3600, timeZone: "America/New_York"),
        ])
        let window = try #require(calendar.upcoming(from: instant("2026-03-01T00:00:00Z"), count: 1).first)
        #expect(window.start == instant("2026-03-08T05:00:00Z"))
        #expect(window.end == instant("2026-03-08T09:00:00Z"))
        #expect(calendar.active(at: instant("2026-03-08T08:30:00Z")).map(\.name) == ["night"])
        #expect(calendar.active(at: instant("2026-03-08T09:00:00Z")).isEmpty)
    }

    @Test("a window across the autumn change ends its duration after its start, in absolute time")
    func windowSpanningAutumnChange() throws {
        // Opens at 00:00 CEST on 25 October (22:00Z the day before) for 4 hours: closes at 02:00Z, 03:00 CET.
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "night", kind: .allow, schedule: "0 0 25 10 *", durationSeconds: 4 * 3600, timeZone: "Europe/Berlin"),
        ])
        let window = try #require(calendar.upcoming(from: instant("2026-10-01T00:00:00Z"), count: 1).first)
        #expect(window.start == instant("2026-10-24T22:00:00Z"))
        #expect(window.end == instant("2026-10-25T02:00:00Z"))
        #expect(calendar.active(at: instant("2026-10-25T01:59:59Z")).map(\.name) == ["night"])
        #expect(calendar.active(at: instant("2026-10-25T02:00:00Z")).isEmpty)
    }

    @Test("a window whose start falls in the gap opens when the gap ends and lasts its whole duration")
    func windowStartingInGap() throws {
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "sunday", kind: .allow, schedule: "30 2 * * 0", durationSeconds: 3600, timeZone: "America/New_York"),
        ])
        let windows = calendar.upcoming(from: instant("2026-03-07T00:00:00Z"), count: 2)
        #expect(windows.map(\.start) == [instant("2026-03-08T07:00:00Z"), instant("2026-03-15T06:30:00Z")])
        #expect(windows.map(\.end) == [instant("2026-03-08T08:00:00Z"), instant("2026-03-15T07:30:00Z")])
    }

    @Test("the offset is the one at the window's start, not the one at the instant asked about")
    func offsetAtStartNotNow() throws {
        // Asked in summer time about a window that opened in winter time (Argo CD uses the current offset).
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "weekend", kind: .allow, schedule: "0 22 7 3 *", durationSeconds: 48 * 3600, timeZone: "America/New_York"),
        ])
        // 22:00 EST on 7 March is 03:00Z on 8 March; 48 hours later is 03:00Z on 10 March.
        let active = calendar.active(at: instant("2026-03-09T12:00:00Z"))
        #expect(active.map(\.start) == [instant("2026-03-08T03:00:00Z")])
        #expect(active.map(\.end) == [instant("2026-03-10T03:00:00Z")])
    }
}
