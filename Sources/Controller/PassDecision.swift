import Foundation

/// The loop's two decisions of time, pure (the caller passes the clocks' readings, so tests run them on
/// a manual clock): whether a pass re-reads the catalog and re-plans or stops after its git read, and
/// how long the loop sleeps before the next pass.
///
/// A poll that found nothing new costs a git read only. The catalog is re-read when the revision or
/// the leadership changed, when asked (a webhook, `POST /api/v1/reconcile`, a finished apply), after a
/// failure, every `resync` (out-of-band drift), when the phase is not a settled one, and when the time a
/// held-back plan waits for has come (a window opening, the start of prepare-ahead): the loop wakes
/// then, so no due work waits for the next poll or resync.
public enum PassDecision {
    /// Why a pass re-reads the catalog.
    public enum Reason: String, Sendable, Equatable {
        /// No pass has read the catalog yet.
        case first
        /// A new revision, or one not known by its commit (a local folder is re-read every poll).
        case newRevision
        case leadershipChanged
        /// A webhook, `POST /api/v1/reconcile`, or a finished apply asked for a pass.
        case asked
        /// The last pass failed; it is retried with backoff.
        case retrying
        case resync
        /// The time the held-back plan waits for has come.
        case holdLifted
        /// The last pass ended in a phase that is not settled (starting, reconciling, degraded).
        case unsettled
    }

    /// What the last pass that read the catalog left behind.
    public struct Settled: Sendable, Equatable {
        public var revision: String?
        public var leader: Bool
        public var phase: ControllerStatus.Phase
        /// When the work it held back may start (`blocked-by-window`); `nil` when nothing waits for a time.
        public var heldUntil: Date?

        public init(revision: String?, leader: Bool, phase: ControllerStatus.Phase, heldUntil: Date? = nil) {
            self.revision = revision
            self.leader = leader
            self.phase = phase
            self.heldUntil = heldUntil
        }
    }

    /// The phases in which, with nothing new, a pass would find what the last one found.
    public static let settledPhases: Set<ControllerStatus.Phase> = [.idle, .standby, .suspended, .stalled, .blockedByWindow]

    /// Why this pass re-reads the catalog, or `nil` when it stops after the git read.
    /// - Parameters:
    ///   - last: What the last pass that read the catalog left behind.
    ///   - revision: The revision read now.
    ///   - leader: Whether this replica leads now.
    ///   - asked: A webhook or `POST /api/v1/reconcile` asked for a pass since the last one.
    ///   - failures: Passes failed in a row.
    ///   - resyncDue: `resync` has passed since the catalog was last read.
    ///   - now: The wall clock windows are evaluated on.
    public static func reason(
        last: Settled?, revision: String?, leader: Bool, asked: Bool, failures: Int, resyncDue: Bool, now: Date
    ) -> Reason? {
        guard let last else { return .first }
        if revision == nil || revision != last.revision { return .newRevision }
        if leader != last.leader { return .leadershipChanged }
        if asked { return .asked }
        if failures > 0 { return .retrying }
        if resyncDue { return .resync }
        if !settledPhases.contains(last.phase) { return .unsettled }
        if let until = last.heldUntil, now >= until { return .holdLifted }
        return nil
    }

    /// How long the loop sleeps before the next pass: until the next fetch or resync (or the backoff
    /// after a failure), and never past the time held-back work waits for or the next window opening.
    /// - Parameters:
    ///   - untilFetch: Time left until the next fetch is due.
    ///   - untilResync: Time left until the next resync is due.
    ///   - backoff: After a failure, the backoff; it replaces the fetch and resync times.
    ///   - heldUntil: When the held-back plan may start.
    ///   - nextOpening: When the next window opens.
    ///   - now: The wall clock windows are evaluated on.
    public static func sleep(
        untilFetch: Duration, untilResync: Duration, backoff: Duration?, heldUntil: Date?, nextOpening: Date?, now: Date
    ) -> Duration {
        var sleep = backoff ?? min(untilFetch, untilResync)
        for time in [heldUntil, nextOpening].compactMap({ $0 }) where time > now {
            // A little past the time: a pass that wakes a hair early would find the hold still on.
            let until = Duration.milliseconds(Int64((time.timeIntervalSince(now) * 1000).rounded(.up)) + 50)
            sleep = min(sleep, until)
        }
        return max(.zero, sleep)
    }
}
