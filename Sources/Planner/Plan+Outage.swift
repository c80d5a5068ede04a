extension Plan {
    /// The steps of the outage a `dropForRebuild` step opens: itself and every later swap step of its
    /// template (the registry row, the daily views built again, the views created again). Empty for any
    /// other step.
    public func outage(openedBy step: PlanStep) -> [PlanStep] {
        guard step.kind == .dropForRebuild else { return [] }
        return steps.filter { $0.phase == .swap && $0.template == step.template && $0.id >= step.id }
    }

    /// How long an outage lasts by the estimates, its daily views built over `parallelism` connections;
    /// `nil` when an estimate is unknown, unless `unknownAsZero`.
    public static func outageSeconds(_ steps: [PlanStep], parallelism: Int, unknownAsZero: Bool = false) -> Double? {
        var serial = 0.0
        var parallel = 0.0
        for step in steps {
            guard let seconds = step.estimateSeconds ?? (unknownAsZero ? 0 : nil) else { return nil }
            if step.runsInParallelInSwap { parallel += seconds } else { serial += seconds }
        }
        return serial + parallel / Double(max(1, parallelism))
    }

    /// `step` as the maintenance windows should see it: a `dropForRebuild` carries the estimate of its
    /// whole outage, so it starts only when the views can be back before the window closes; any other
    /// step is itself.
    public func admissionStep(_ step: PlanStep, parallelism: Int) -> PlanStep {
        let outage = outage(openedBy: step)
        guard !outage.isEmpty, let seconds = Self.outageSeconds(outage, parallelism: parallelism, unknownAsZero: true) else {
            return step
        }
        var whole = step
        whole.estimateSeconds = seconds
        return whole
    }
}
