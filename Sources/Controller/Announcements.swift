import Foundation
import Scheduler

/// What the loop has already said, so that it says each thing once: a log line and a webhook per change
/// of state, never per pass or per poll.
///
/// A plan held back is one state for as long as the same revision waits for the same thing (a window,
/// a guard, the clock) until the same time, however often it is re-planned meanwhile (the plan of a
/// change shrinks as its prepare work is done). Drift is one state per revision and set of drift items.
public struct Announcements: Sendable, Equatable {
    /// A plan held back: for one revision, by one cause, until one time.
    public struct Hold: Sendable, Equatable {
        public var revision: String?
        /// What holds it: `window sunday-night`, the guard's or the clock's sentence.
        public var cause: String
        /// When it may start; `nil` when no time is known.
        public var until: Date?

        public init(revision: String?, cause: String, until: Date? = nil) {
            self.revision = revision
            self.cause = cause
            self.until = until
        }

        /// The hold of a plan whose next step the scheduler answered `admission`: what it waits for and
        /// until when, not the line people read, whose "(in 3h)" changes every poll.
        public init(_ admission: Admission, revision: String?) {
            switch admission {
            case .wait(let until, let window, let reason):
                self.init(revision: revision, cause: window.map { "window \($0.name)" } ?? (until == nil ? reason : "wait"), until: until)
            case .refused(let reason):
                self.init(revision: revision, cause: reason)
            case .run:
                self.init(revision: revision, cause: "run")
            }
        }
    }

    private var hold: Hold?
    private var drift: String?

    public init() {}

    /// Whether a pass held back by `hold` is news; it is remembered, so the next pass held the same way is not.
    public mutating func isNew(_ hold: Hold) -> Bool {
        guard self.hold != hold else { return false }
        self.hold = hold
        return true
    }

    /// A pass ended without a hold (applied, in sync, failed): the next hold is news again.
    public mutating func holdEnded() { hold = nil }

    /// Whether drift with this key (revision and drift items) is news; remembered like a hold.
    public mutating func isNewDrift(_ key: String) -> Bool {
        guard drift != key else { return false }
        drift = key
        return true
    }

    /// A pass found no drift: the next drift is news again.
    public mutating func driftEnded() { drift = nil }
}
