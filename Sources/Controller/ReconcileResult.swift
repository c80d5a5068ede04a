/// How one reconcile pass ended: the `result` label of `warden_reconcile_total` and
/// `lastReconcile.result` of status.
public enum ReconcileResult: String, Sendable, Equatable, Codable, CaseIterable {
    /// The pass ran to its end: in sync, drift reported (report mode) or the due steps applied.
    case succeeded
    /// Work is due but a window, a guard or a refusal held it back.
    case blocked
    /// A transient error (git or the database unreachable, a step failed); the pass is retried with backoff.
    case failed
    /// The desired state is invalid; nothing is retried until a new commit arrives.
    case stalled
}
