extension PlanStep {
    /// The order of prepare work: every step of a wave finishes before a step of the next starts; the steps
    /// of one wave run in parallel. Schemas and the registry table first, then what is built in them,
    /// then the new tenant views that read what was built.
    public var prepareWave: Int {
        switch kind {
        case .createSchema, .createRegistry: 0
        case .createTenantView: 2
        default: 1
        }
    }
}

extension PlanStep {
    /// Whether the executor may run this step beside its neighbours of the same kind in the swap phase:
    /// the daily views the `rebuild` strategy builds again while the views are gone, over `parallelism`
    /// connections like prepare's builds.
    public var runsInParallelInSwap: Bool { phase == .swap && kind == .buildDailyView }

    /// Whether the executor may hand this step to one of its `parallelism` workers (prepare, and the
    /// daily views a rebuild builds again): what the server's connection limits bound.
    public var mayRunOnAWorker: Bool { phase == .prepare || kind == .buildDailyView }
}

extension Plan {
    /// Whether the apply opens workers beside its own session: more than one step may run on one.
    public var opensWorkers: Bool { steps.count(where: \.mayRunOnAWorker) > 1 }
}
