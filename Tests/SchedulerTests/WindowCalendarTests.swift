import Foundation
import Scheduler
import Testing
import WardenModel

@Suite("Window calendar")
struct WindowCalendarTests {
    @Test("a window that opened before the instant and is still open is active")
    func activeSinceBefore() throws {
        let calendar = try WindowCalendar([sundayNight, monthEndClose])
        let active = calendar.active(at: instant("2026-03-30T12:00:00Z"))
        #expect(active.count == 1)
        #expect(active.first?.name == "month-end-close")
        #expect(active.first?.kind == .deny)
        #expect(active.first?.start == instant("2026-03-28T00:00:00Z"))
        #expect(active.first?.end == instant("2026-04-01T00:00:00Z"))
    }

    @Test("a window is active from its start, inclusive, to its end, exclusive")
    func activeBounds() throws {
        let calendar = try WindowCalendar([sundayNight])
        #expect(calendar.active(at: instant("2026-03-08T01:59:59Z")).isEmpty)
        #expect(calendar.active(at: instant("2026-03-08T02:00:00Z")).map(\.name) == ["sunday-night"])
        #expect(calendar.active(at: instant("2026-03-08T05:59:59Z")).map(\.name) == ["sunday-night"])
        #expect(calendar.active(at: instant("2026-03-08T06:00:00Z")).isEmpty)
    }

    @Test("upcoming lists the active window first, then by start, then by name")
    func upcomingOrder() throws {
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "b-window", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 3600),
            monthEndClose,
            MaintenanceWindow(name: "a-window", kind: .allow, schedule: "0 2 * * SUN", durationSeconds: 7200, manualSync: true),
        ])
        let upcoming = calendar.upcoming(from: instant("2026-03-30T12:00:00Z"), count: 4)
        #expect(upcoming.map(\.name) == ["month-end-close", "a-window", "b-window", "a-window"])
        #expect(upcoming.map(\.start) == [
            instant("2026-03-28T00:00:00Z"), instant("2026-04-05T02:00:00Z"), instant("2026-04-05T02:00:00Z"),
            instant("2026-04-12T02:00:00Z"),
        ])
        #expect(upcoming[1].end == instant("2026-04-05T04:00:00Z"))
        #expect(upcoming[1].manualSync)
        #expect(upcoming[1].timeZone == "UTC")
        #expect(calendar.upcoming(from: instant("2026-03-30T12:00:00Z"), count: 0).isEmpty)
    }

    @Test("no windows is empty; windows are not")
    func empty() throws {
        #expect(try WindowCalendar([]).isEmpty)
        #expect(try !WindowCalendar([sundayNight]).isEmpty)
        #expect(try WindowCalendar([]).upcoming(from: instant("2026-03-30T12:00:00Z"), count: 3).isEmpty)
    }

    @Test("a window that cannot be read names itself and its field", arguments: [
        (MaintenanceWindow(name: "bad-cron", kind: .allow, schedule: "0 25 * * *", durationSeconds: 60), "schedule", "hour"),
        (MaintenanceWindow(name: "bad-zone", kind: .deny, schedule: "0 2 * * *", durationSeconds: 60, timeZone: "Mars/Olympus"), "timeZone", "Mars/Olympus"),
        (MaintenanceWindow(name: "bad-length", kind: .allow, schedule: "0 2 * * *", durationSeconds: 0), "duration", "0s"),
    ])
    func rejects(window: MaintenanceWindow, field: String, detail: String) {
        #expect {
            try WindowCalendar([sundayNight, window])
        } throws: { error in
            guard let error = error as? SchedulerError else { return false }
            let text = "\(error)"
            return error.window == window.name && error.field == field && text.contains(window.name) && text.contains(detail)
        }
    }
}
