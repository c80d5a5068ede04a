import Foundation
import Scheduler
import Testing
import WardenModel

@Suite("Schedule texts")
struct ScheduleTextTests {
    /// Tuesday 17 November 2026, noon UTC: the integration tests' "no window open" instant.
    let tuesday = instant("2026-11-17T12:00:00Z")

    @Test("relative keeps the two largest units and rounds the smaller", arguments: [
        (4 * 86_400 + 19 * 3600 + 59 * 60 + 55, "4d 20h"),
        (7 * 86_400 + 14 * 3600 + 10 * 60, "7d 14h"),
        (2 * 86_400 + 10 * 60, "2d"),
        (23 * 3600 + 45 * 60, "1d"),
        (3 * 3600 + 5 * 60, "3h 5m"),
        (3 * 3600 + 5 * 60 + 29, "3h 5m"),
        (59 * 60 + 45, "1h"),
        (12 * 60, "12m"),
        (12 * 60 + 31, "13m"),
        (40, "40s"),
        (0, "0s"),
    ])
    func relative(seconds: Int, expected: String) {
        #expect(ScheduleText.relative(from: tuesday, to: tuesday.addingTimeInterval(TimeInterval(seconds))) == expected)
    }

    @Test("relative never goes negative: an instant already past reads 0s")
    func relativeInThePast() {
        #expect(ScheduleText.relative(from: tuesday, to: tuesday.addingTimeInterval(-90)) == "0s")
    }

    @Test("local names standard and daylight time in America/Chicago, and spells UTC as UTC")
    func local() {
        #expect(ScheduleText.local(instant("2026-11-22T08:00:00Z"), timeZone: "America/Chicago") == "2026-11-22 02:00 CST")
        #expect(ScheduleText.local(instant("2026-07-12T07:00:00Z"), timeZone: "America/Chicago") == "2026-07-12 02:00 CDT")
        #expect(ScheduleText.local(instant("2026-11-22T08:00:00Z"), timeZone: "UTC") == "2026-11-22 08:00 UTC")
        #expect(ScheduleText.local(instant("2026-07-12T07:00:00Z"), timeZone: "UTC") == "2026-07-12 07:00 UTC")
    }

    @Test("local on the day clocks change: the hour before is CDT, the hour after CST")
    func localAcrossTheChange() {
        // 1 November 2026: 02:00 CDT becomes 01:00 CST, so 01:30 happens twice.
        #expect(ScheduleText.local(instant("2026-11-01T06:30:00Z"), timeZone: "America/Chicago") == "2026-11-01 01:30 CDT")
        #expect(ScheduleText.local(instant("2026-11-01T07:30:00Z"), timeZone: "America/Chicago") == "2026-11-01 01:30 CST")
    }

    @Test("rfc3339 is UTC to the second")
    func rfc3339() {
        #expect(ScheduleText.rfc3339(instant("2026-11-22T02:00:00-06:00")) == "2026-11-22T08:00:00Z")
    }

    /// The demo's allow window, opening on Sunday 22 November 2026 at 02:00 in Chicago.
    let sundayNight = WindowOccurrence(
        name: "sunday-night", kind: .allow, start: instant("2026-11-22T08:00:00Z"), end: instant("2026-11-22T12:00:00Z"),
        manualSync: true, timeZone: "America/Chicago")

    @Test("a step that may run now, with or without a deadline")
    func runLines() {
        #expect(ScheduleText.line(.run(deadline: nil), at: tuesday) == "now")
        #expect(ScheduleText.line(.run(deadline: instant("2026-11-17T15:30:00Z")), at: tuesday)
            == "now (may run until 2026-11-17 15:30 UTC, 3h 30m left)")
    }

    @Test("a step waiting for an allow window to open names the window and its local opening")
    func waitingForWindowToOpen() {
        let line = ScheduleText.line(
            .wait(until: sundayNight.start, window: sundayNight, reason: "brief-lock swap step 13 needs an allow window"),
            at: tuesday)
        #expect(line == "waiting for window sunday-night: opens 2026-11-22 02:00 CST (in 4d 20h)")
    }

    @Test("a step that may start only later inside a window says when, and why")
    func waitingInsideWindow() {
        let line = ScheduleText.line(
            .wait(until: instant("2026-11-22T09:00:00Z"), window: sundayNight, reason: "the swap phase comes first"),
            at: tuesday)
        #expect(line == "waiting for window sunday-night: may start 2026-11-22 03:00 CST (in 4d 21h); the swap phase comes first")
    }

    @Test("a step waiting for a deny window to close says when it may start, in UTC")
    func waitingForDenyToClose() {
        let line = ScheduleText.line(
            .wait(until: instant("2026-12-02T00:00:00Z"), window: nil, reason: "deny window month-end-close is open"),
            at: instant("2026-11-29T09:00:00Z"))
        #expect(line == "waiting: deny window month-end-close is open; may start 2026-12-02 00:00 UTC (in 2d 15h)")
    }

    @Test("a step that no window within the search span admits says only why")
    func waitingForever() {
        let line = ScheduleText.line(.wait(until: nil, window: nil, reason: "no window fits it in the next 400 days"), at: tuesday)
        #expect(line == "waiting: no window fits it in the next 400 days")
    }

    @Test("a refused step says refused and why")
    func refused() {
        let line = ScheduleText.line(.refused(reason: "--now is refused: deny window month-end-close is open"), at: tuesday)
        #expect(line == "refused: --now is refused: deny window month-end-close is open")
    }
}
