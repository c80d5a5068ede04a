import Planner

/// Prepare's order (``PlanStep/prepareWave``) while its steps run in parallel: a step starts only once
/// every earlier prepare step of a lower wave has finished. Schemas exist before anything is built in
/// them; the daily views and yearly tables exist before the new tenant views that read them.
///
/// Steps are handed out in id order and the planner numbers prepare by wave, so a step waits only for
/// steps already handed out: run one at a time, nothing ever waits.
actor PrepareBarrier {
    /// Prepare steps not finished yet: id → wave.
    private var unfinished: [Int: Int]
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Why the run stopped, once a step failed.
    private var failure: (any Error)?

    init(_ steps: [PlanStep]) {
        unfinished = Dictionary(steps.map { ($0.id, $0.prepareWave) }, uniquingKeysWith: { first, _ in first })
    }

    /// Returns once `step` may start; throws the failed step's error if the run failed meanwhile (so
    /// whichever worker reports first, the run reports that step).
    func wait(for step: PlanStep) async throws {
        guard step.phase == .prepare else { return }
        while failure == nil && unfinished.contains(where: { $0.key < step.id && $0.value < step.prepareWave }) {
            await withCheckedContinuation { waiting.append($0) }
        }
        if let failure { throw failure }
    }

    /// `step` is done: the steps waiting for it look again.
    func finished(_ step: PlanStep) {
        guard unfinished.removeValue(forKey: step.id) != nil else { return }
        wakeAll()
    }

    /// A step failed: the run stops, and nobody waits for it.
    func abandon(because error: any Error) {
        if failure == nil { failure = error }
        wakeAll()
    }

    private func wakeAll() {
        let woken = waiting
        waiting = []
        for continuation in woken { continuation.resume() }
    }
}
