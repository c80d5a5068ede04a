import Controller
import Foundation
import Scheduler
import Testing

@Suite("announcements: one log line and one event per change of state")
struct AnnouncementsTests {
    static let revision = "9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345"
    static let opens = ISO8601DateFormatter().date(from: "2026-01-11T08:00:00Z")!
    static let window = WindowOccurrence(
        name: "sunday-night", kind: .allow, start: opens, end: opens.addingTimeInterval(4 * 3600), manualSync: true,
        timeZone: "America/Chicago")
    static let waiting = Admission.wait(
        until: opens, window: window, reason: "swap-daily-view 12 waits: it needs an allow window and none is open; it can start at 2026-01-11T08:00:00Z.")

    @Test("the same commit waiting for the same window is one hold, however its line reads as time passes and whatever its plan")
    func sameHoldOnce() {
        var announcements = Announcements()
        let first = ISO8601DateFormatter().date(from: "2026-01-04T14:00:00Z")!
        // The lines people read differ ("in 6d 18h", an hour later "in 6d 17h"); the hold does not.
        #expect(ScheduleText.line(Self.waiting, at: first) != ScheduleText.line(Self.waiting, at: first.addingTimeInterval(3600)))
        // The first pass, then a pass after the prepare phase ran (a smaller plan), then a hundred more.
        var news: [Bool] = []
        for _ in 0..<102 { news.append(announcements.isNew(Announcements.Hold(Self.waiting, revision: Self.revision))) }
        #expect(news == [true] + Array(repeating: false, count: 101))
    }

    @Test("a new revision, another window or time, or a hold after the work moved on, is news")
    func changesAreNews() {
        var announcements = Announcements()
        let nextWeek = Admission.wait(until: Self.opens.addingTimeInterval(7 * 86_400), window: Self.window, reason: "…")
        let guarded = Announcements.Hold(revision: "0123", cause: "the plan drops column x")
        var news: [Bool] = []
        news.append(announcements.isNew(Announcements.Hold(Self.waiting, revision: Self.revision)))
        news.append(announcements.isNew(Announcements.Hold(Self.waiting, revision: "0123")))
        news.append(announcements.isNew(Announcements.Hold(nextWeek, revision: "0123")))
        news.append(announcements.isNew(Announcements.Hold(nextWeek, revision: "0123")))
        // The work ran (applied, in sync): the next hold is a new state even if it looks like an old one.
        announcements.holdEnded()
        news.append(announcements.isNew(Announcements.Hold(nextWeek, revision: "0123")))
        news.append(announcements.isNew(guarded))
        news.append(announcements.isNew(guarded))
        #expect(news == [true, true, true, false, true, true, false])
    }

    @Test("drift is announced once per set of items; after the warehouse was in sync, again")
    func driftOnce() {
        var announcements = Announcements()
        var news: [Bool] = []
        news.append(announcements.isNewDrift("a"))
        news.append(announcements.isNewDrift("a"))
        news.append(announcements.isNewDrift("b"))
        announcements.driftEnded()
        news.append(announcements.isNewDrift("b"))
        #expect(news == [true, false, true, true])
    }
}
