import Planner
import Synchronization

/// The outages a plan's `rebuild` strategy opens, as the executor admits steps through the windows
/// (DESIGN.md §6): a drop transaction starts only if its whole outage (the transaction, the daily views
/// built again, the views created again) fits before the window closes; once it has started, the steps
/// that end its outage are no longer held by the windows, so a window closing mid-rebuild never leaves
/// the public view dropped until the next one.
final class RebuildOutages: Sendable {
    /// Drop step id → that step carrying its whole outage's estimate.
    private let admissionSteps: [Int: PlanStep]
    /// Step id → the id of the drop step whose outage it ends.
    private let openedBy: [Int: Int]
    /// Drop steps admitted in this apply.
    private let opened = Mutex<Set<Int>>([])

    init(_ plan: Plan?, parallelism: Int) {
        var admissionSteps: [Int: PlanStep] = [:]
        var openedBy: [Int: Int] = [:]
        if let plan {
            for step in plan.steps where step.kind == .dropForRebuild {
                admissionSteps[step.id] = plan.admissionStep(step, parallelism: parallelism)
                for later in plan.outage(openedBy: step) where later.id != step.id { openedBy[later.id] = step.id }
            }
        }
        self.admissionSteps = admissionSteps
        self.openedBy = openedBy
    }

    /// `step` as the windows should judge it: a drop transaction with its outage's estimate.
    func admissionStep(_ step: PlanStep) -> PlanStep { admissionSteps[step.id] ?? step }

    /// Whether `step` ends an outage this apply has opened.
    func isInProgress(restoredBy step: PlanStep) -> Bool {
        guard let drop = openedBy[step.id] else { return false }
        return opened.withLock { $0.contains(drop) }
    }

    /// `step` was admitted: if it opens an outage, the steps that end it follow whatever the windows say.
    func started(_ step: PlanStep) {
        guard admissionSteps[step.id] != nil else { return }
        opened.withLock { _ = $0.insert(step.id) }
    }
}
