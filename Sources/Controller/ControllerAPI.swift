import Executor

/// What the status server needs from the controller: snapshots to show and requests to pass on.
///
/// The seam between the reconcile loop and the HTTP layer. Reads return what the last pass produced and
/// never wait for a pass; requests return at once and take effect in the loop.
public protocol ControllerAPI: Sendable {
    /// The controller now (`GET /api/v1/status`).
    func status() async -> ControllerStatus
    /// The last pass's drift report in the stable machine format of `warden drift --format json`
    /// (`{"version": 1, "revision", "asOf", "items": [...]}`); `nil` before the first pass.
    func driftJSON() async -> String?
    /// The last pass's plan as `Plan.json()`; `nil` before the first pass (or in report mode if it does not plan).
    func planJSON() async -> String?
    /// The last pass's plan for the status page, each phase with when it runs; `nil` before the first pass.
    func planView() async -> PlanView?
    /// The windows ahead, soonest first (the open ones included).
    func windows() async -> [WindowView]
    /// The `limit` newest runs from `_wh.warden_runs`, newest first.
    func runs(limit: Int) async throws -> [RunRecord]
    /// Whether the controller can serve: the database is reachable and a desired state is loaded.
    func isReady() async -> Bool
    /// Why it is not ready, for the body of `GET /readyz`'s 503; `nil` when ready or unknown.
    func notReadyReason() async -> String?
    /// Starts a pass now instead of at the next poll (`POST /api/v1/reconcile`).
    func requestReconcile() async
    /// Stops starting passes until ``resume()``; a step in flight finishes (`POST /api/v1/suspend`).
    func suspend(reason: String) async
    /// Resumes after ``suspend(reason:)`` (`POST /api/v1/resume`).
    func resume() async
    /// Fetches the repository now (`POST /api/v1/webhook/git`), as a push notification asks.
    func gitWebhook() async
}

extension ControllerAPI {
    /// No reason beyond "not ready" by default.
    public func notReadyReason() async -> String? { nil }
}
