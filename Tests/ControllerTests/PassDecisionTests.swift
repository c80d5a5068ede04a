import Controller
import Foundation
import Testing

@Suite("the loop's passes: a catalog pass when something changed, never per poll")
struct PassDecisionTests {
    /// Sunday 2026-01-04 14:00 UTC, the manual clock's start.
    static let start = ISO8601DateFormatter().date(from: "2026-01-04T14:00:00Z")!
    static let revision = "9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345"

    static func blocked(until: Date?) -> PassDecision.Settled {
        PassDecision.Settled(revision: revision, leader: true, phase: .blockedByWindow, heldUntil: until)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test("blocked by a window with the same revision and nothing new: no pass on any poll until the window opens, then one")
    func blockedWaitsForTheOpening() {
        let opens = Self.start.addingTimeInterval(6 * 3600)
        let last = Self.blocked(until: opens)
        var now = Self.start
        while now < opens {
            #expect(PassDecision.reason(last: last, revision: Self.revision, leader: true, asked: false, failures: 0, resyncDue: false, now: now) == nil)
            now.addTimeInterval(5)
        }
        #expect(PassDecision.reason(last: last, revision: Self.revision, leader: true, asked: false, failures: 0, resyncDue: false, now: opens) == .holdLifted)
    }

    @Test("a day blocked by a window, polled every 5 s with a 5 min resync: 289 catalog passes (the first, the resyncs, the opening), not 17,280")
    func aDayOfPolls() {
        // Between two polls and not at a resync: the pass that sees it is the opening's.
        let opens = Self.start.addingTimeInterval(82_812)
        var last: PassDecision.Settled? = nil
        var passes: [PassDecision.Reason] = []
        var lastCatalogRead = Self.start
        for poll in 0..<(86_400 / 5) {
            let now = Self.start.addingTimeInterval(Double(poll) * 5)
            let resyncDue = now.timeIntervalSince(lastCatalogRead) >= 300
            guard let why = PassDecision.reason(
                last: last, revision: Self.revision, leader: true, asked: false, failures: 0, resyncDue: resyncDue, now: now)
            else { continue }
            passes.append(why)
            lastCatalogRead = now
            // The pass re-plans: still held until the window opens, then applied and idle.
            last = now < opens ? Self.blocked(until: opens) : PassDecision.Settled(revision: Self.revision, leader: true, phase: .idle)
        }
        #expect(passes.first == .first)
        #expect(passes.filter { $0 == .holdLifted }.count == 1)
        #expect(passes.filter { $0 == .resync }.count == 287)
        #expect(passes.count == 289)
    }

    @Test("a new revision, a change of leadership, a request, a failure and a due resync each re-read the catalog at once")
    func whatWakesAPass() {
        let last = Self.blocked(until: Self.start.addingTimeInterval(3600))
        func reason(revision: String? = Self.revision, leader: Bool = true, asked: Bool = false, failures: Int = 0, resync: Bool = false) -> PassDecision.Reason? {
            PassDecision.reason(last: last, revision: revision, leader: leader, asked: asked, failures: failures, resyncDue: resync, now: Self.start)
        }
        #expect(PassDecision.reason(last: nil, revision: Self.revision, leader: true, asked: false, failures: 0, resyncDue: false, now: Self.start) == .first)
        #expect(reason(revision: "0123") == .newRevision)
        #expect(reason(revision: nil) == .newRevision, "a plain folder has no revision to compare: every poll reads it")
        #expect(reason(leader: false) == .leadershipChanged)
        #expect(reason(asked: true) == .asked)
        #expect(reason(failures: 1) == .retrying)
        #expect(reason(resync: true) == .resync)
        #expect(reason() == nil)
    }

    @Test("settled phases wait; a pass that ended mid-work (reconciling, degraded, starting) is followed by another",
          arguments: ControllerStatus.Phase.allCases)
    func settledPhases(phase: ControllerStatus.Phase) {
        let last = PassDecision.Settled(revision: Self.revision, leader: true, phase: phase)
        let reason = PassDecision.reason(last: last, revision: Self.revision, leader: true, asked: false, failures: 0, resyncDue: false, now: Self.start)
        switch phase {
        case .idle, .standby, .suspended, .stalled, .blockedByWindow: #expect(reason == nil)
        case .starting, .reconciling, .degraded: #expect(reason == .unsettled)
        }
    }

    @Test("the loop sleeps until the next fetch or resync, and never past the time held-back work waits for or the next opening")
    func sleepNeverMissesADueEvent() {
        let now = Self.start
        // Fetch in 5 s: nothing earlier is due.
        #expect(PassDecision.sleep(untilFetch: .seconds(5), untilResync: .seconds(300), backoff: nil, heldUntil: now.addingTimeInterval(3600),
                                   nextOpening: now.addingTimeInterval(7200), now: now) == .seconds(5))
        // A long poll interval: the hold lifts first, and the loop wakes just after it.
        let held = PassDecision.sleep(untilFetch: .seconds(600), untilResync: .seconds(900), backoff: nil, heldUntil: now.addingTimeInterval(2),
                                      nextOpening: now.addingTimeInterval(7200), now: now)
        #expect(Self.seconds(held) >= 2 && Self.seconds(held) < 2.2, "\(held)")
        let opening = PassDecision.sleep(untilFetch: .seconds(600), untilResync: .seconds(900), backoff: nil, heldUntil: nil,
                                         nextOpening: now.addingTimeInterval(30), now: now)
        #expect(Self.seconds(opening) >= 30 && Self.seconds(opening) < 30.2, "\(opening)")
        // After a failure the backoff replaces the timers, still bounded by the hold.
        #expect(PassDecision.sleep(untilFetch: .seconds(5), untilResync: .seconds(300), backoff: .seconds(1), heldUntil: nil, nextOpening: nil, now: now) == .seconds(1))
        // Times already past do not shorten the sleep (the pass they call for has run), and a due fetch sleeps not at all.
        #expect(PassDecision.sleep(untilFetch: .seconds(5), untilResync: .seconds(300), backoff: nil, heldUntil: now.addingTimeInterval(-1),
                                   nextOpening: nil, now: now) == .seconds(5))
        #expect(PassDecision.sleep(untilFetch: .seconds(-1), untilResync: .seconds(300), backoff: nil, heldUntil: nil, nextOpening: nil, now: now) == .zero)
    }
}
