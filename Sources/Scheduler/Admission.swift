import Foundation

/// What the scheduler says about one step at one instant.
public enum Admission: Sendable, Equatable {
    /// May start now; `deadline` is when the window that permits it ends (nil: no limit).
    ///
    /// For a step that needs an allow window, the deadline is the end of the allow windows open now
    /// (their union, when several overlap or touch), or the start of a deny window that opens first.
    /// For a step that needs no allow window, it is the start of the next deny window. Under a manual
    /// override, it is the start of the next deny window without `manualSync`.
    case run(deadline: Date?)
    /// Must wait; `until` is when it may start (nil: never within the search horizon), `window` the
    /// allow window it waits for (nil when it waits for a deny window to end), `reason` one sentence.
    case wait(until: Date?, window: WindowOccurrence?, reason: String)
    /// Refused outright (e.g. --now through an active deny window without manualSync); one sentence.
    case refused(reason: String)
}
