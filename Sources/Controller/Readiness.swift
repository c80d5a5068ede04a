/// The `Ready` condition, the summary on-call people and probes read: True while warden is doing what
/// it should (in sync, working through its plan, waiting for a window, standing by), False when
/// something needs a person, with a reason that says what. Pure, decided here only.
public enum Readiness {
    /// `Ready`'s status, reason and message for a pass that ended in `phase`.
    public static func evaluate(
        phase: ControllerStatus.Phase, desiredLoaded: Bool, connected: Bool
    ) -> (ready: Bool, reason: String, message: String) {
        guard desiredLoaded, connected else {
            return (false, "NotReady", "waiting for the database or a valid desired state")
        }
        switch phase {
        case .stalled:
            return (false, "Stalled", "stalled: warden cannot act on the target revision; the diagnostics, "
                + "DesiredStateValid and InSync say why and what to fix")
        case .degraded:
            return (false, "Degraded", "passes fail and are retried with backoff; DatabaseReachable, GitReachable and the log say why")
        default:
            return (true, "Ready", "database reachable and desired state loaded")
        }
    }
}
