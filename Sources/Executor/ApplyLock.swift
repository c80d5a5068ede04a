import Foundation
import Logging
import PostgresClient

/// Taking the `warden.apply` advisory lock (DESIGN.md §7), and what to do when someone else has it.
///
/// A live warden's lock session only ever runs the journal's short statements, so it is idle nearly all
/// the time. A lock session that has been inside one statement for seconds, or that has already left
/// `pg_stat_activity`, belongs to a warden that is gone or going: its process was killed while the
/// server was still busy on the session, and the server lets go of the lock only once that statement
/// ends (sooner with `client_connection_check_interval`). Such a holder is waited for, a bounded time;
/// a live one is refused at once, as before.
public enum ApplyLock {
    /// What the holder of the lock looks like.
    public enum Verdict: Equatable, Sendable {
        /// A session that looks alive: refuse.
        case live
        /// A warden session whose client is gone or going, and why it looks so.
        case goingAway(String)
    }

    /// How long a warden lock session may be inside one statement before it counts as gone.
    public static let busyThresholdSeconds = 2.0

    /// The verdict on a holder, from what `pg_stat_activity` says of it.
    public static func verdict(on holder: AdvisoryLockHolder) -> Verdict {
        guard SessionName.isWarden(holder.applicationName) else { return .live }
        guard let state = holder.state else {
            return .goingAway("its session is ending")
        }
        let seconds = holder.stateSeconds ?? 0
        guard state != "idle", seconds >= busyThresholdSeconds else { return .live }
        return .goingAway(
            "its lock session has been \(state) for \(BackendActivity.format(seconds: seconds)), which a live warden's never is")
    }

    /// Takes the lock on `session`, or throws.
    ///
    /// - Parameters:
    ///   - wait: how long to wait for a holder whose warden is gone or going (zero: refuse at once).
    ///   - say: one line for people when the wait begins.
    /// - Throws: ``ApplyError/anotherWriter(target:holder:)`` for a live holder (or when `wait` is zero),
    ///   ``ApplyError/lockHolderStuck(target:holder:pid:reason:waited:)`` when the wait ran out.
    public static func acquire(
        on session: PostgresConnection, wait: Duration, say: @Sendable (String) -> Void
    ) async throws {
        let key = PlanExecutor.lockKey
        let clock = ContinuousClock()
        let started = clock.now
        var waiting = false
        var confirmedLive = false
        while true {
            if try await session.tryAdvisoryLock(key) { return }
            guard let holder = try await session.advisoryLockHolder(key) else {
                // Released between the two queries: try again.
                continue
            }
            switch verdict(on: holder) {
            case .live:
                // An idle session whose client has just died is gone a moment later: look once more.
                if confirmedLive || waiting {
                    throw ApplyError.anotherWriter(target: session.target, holder: holder.description)
                }
                confirmedLive = true
                try await Task.sleep(for: .milliseconds(250))
            case .goingAway(let reason):
                if wait <= .zero {
                    throw ApplyError.anotherWriter(target: session.target, holder: holder.description + "; \(reason)")
                }
                if clock.now - started >= wait {
                    throw ApplyError.lockHolderStuck(
                        target: session.target, holder: holder.description, pid: holder.pid, reason: reason,
                        waited: BackendActivity.format(seconds: PlanExecutor.seconds(clock.now - started)))
                }
                if !waiting {
                    waiting = true
                    say("the apply lock is held by \(holder.description), whose warden seems gone (\(reason)); "
                        + "waiting up to \(BackendActivity.format(seconds: PlanExecutor.seconds(wait))) for PostgreSQL to let go of it")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
