import Executor
import Foundation
import Scheduler

/// The reconcile loop as the status server sees it: snapshots of the last pass, requests passed on.
extension ReconcileLoop: ControllerAPI {
    public func status() async -> ControllerStatus { state }

    public func driftJSON() async -> String? { observedDrift?.json() }

    public func planJSON() async -> String? { observedPlan?.json() }

    public func planView() async -> PlanView? {
        guard let plan = observedPlan else { return nil }
        let times = observedPhaseTimes
        let at = observedAt
        return PlanView(plan: plan) { phase in
            times[phase].map { ScheduleText.line($0, at: at) } ?? "after the phase before it"
        }
    }

    public func windows() async -> [WindowView] {
        let now = settings.now()
        return observedWindows.filter { $0.end > now }.map { Self.view($0, at: now) }
    }

    public func runs(limit: Int) async throws -> [RunRecord] {
        guard let connection = currentConnection() else {
            throw NotConnected()
        }
        return try await RunHistory.recent(limit: limit, on: connection)
    }

    public func isReady() async -> Bool { hasDesiredState && currentConnection() != nil }

    public func notReadyReason() async -> String? {
        if !hasDesiredState { return "no valid desired state loaded yet" + (state.diagnostics.first.map { ": \($0)" } ?? "") }
        if currentConnection() == nil { return "the warehouse is not reachable" }
        return nil
    }

    public func requestReconcile() async { trigger(fetch: false) }

    public func gitWebhook() async { trigger(fetch: true) }

    struct NotConnected: Error, CustomStringConvertible {
        var description: String { "the warehouse is not reachable right now; the run history will be back when it is" }
    }
}
