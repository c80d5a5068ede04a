import WardenModel

extension PlanStep {
    /// Daily views per cleanup transaction: about eleven locks each (the view, its indexes, the old view
    /// and its indexes), so a batch stays far below PostgreSQL's default lock table of 6,400 slots.
    public static let cleanupDaysPerStep = 50

    /// Groups the per-day cleanup of a column change (drop the old daily view, rename its shadow and
    /// indexes in) into one transaction per tenant and up to `daysPerStep` days.
    ///
    /// A rename waits for ACCESS EXCLUSIVE on a view every reader of the public view locks. Against
    /// readers that run one long query after another, each such wait lasts until the query in flight
    /// ends, so one wait per day made cleanup last days × query time (measured: 3,230 days, 1 s reader
    /// queries). One wait per batch brings that to batches × query time. Within a batch the drops come
    /// first (nothing reads the old views since the swap), then the renames in the input's order (days
    /// ascending, the order readers lock them in, so a reader arriving mid-batch waits and never deadlocks).
    public static func batchedDayCleanup(_ steps: [PlanStep], daysPerStep: Int = cleanupDaysPerStep) -> [PlanStep] {
        var groups: [[PlanStep]] = []
        var keys: [String] = []
        for step in steps {
            let key = (step.template ?? "") + "\u{0}" + (step.tenant ?? "")
            if let index = keys.firstIndex(of: key) {
                groups[index].append(step)
            } else {
                keys.append(key)
                groups.append([step])
            }
        }
        var batches: [PlanStep] = []
        for group in groups {
            // A day is a drop followed by the rename that takes its name, or a lone step: never split, so
            // batches may run on different connections.
            var days: [[PlanStep]] = []
            for step in group {
                if step.kind == .renameShadow, let last = days.last, last.count == 1, last[0].kind == .dropDailyView {
                    days[days.count - 1].append(step)
                } else {
                    days.append([step])
                }
            }
            var start = 0
            while start < days.count {
                let end = min(days.count, start + max(1, daysPerStep))
                batches.append(merged(days[start..<end].flatMap { $0 }))
                start = end
            }
        }
        return batches
    }

    /// One transaction: every drop, then every rename.
    private static func merged(_ chunk: [PlanStep]) -> PlanStep {
        guard chunk.count > 1 else { return chunk[0] }
        let drops = chunk.filter { $0.kind != .renameShadow }
        let renames = chunk.filter { $0.kind == .renameShadow }
        let undo = drops.isEmpty ? renames.reversed().flatMap(\.undo) : []
        return PlanStep(
            phase: chunk[0].phase, kind: renames.isEmpty ? .dropDailyView : .renameShadow, stepClass: chunk.map(\.stepClass).max()!,
            template: chunk[0].template, tenant: chunk[0].tenant,
            targets: drops.flatMap(\.targets) + renames.flatMap(\.targets),
            statements: drops.flatMap(\.statements) + renames.flatMap(\.statements), undo: undo,
            touchesLiveObjects: chunk.contains { $0.touchesLiveObjects },
            estimateSeconds: chunk.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }, reversible: drops.isEmpty)
    }
}
