import Drift
import WardenModel

extension DriftReport {
    /// The report without the shadows `plan` swaps in as they are (``Plan/prepared``): those are the
    /// pending plan's progress (an apply that prepared ahead of its window, or one that stopped), counted
    /// in ``DriftReport/preparedShadows``. `shadow.leftover` is then only what no plan reuses.
    public func settingAside(progressOf plan: Plan) -> DriftReport {
        let prepared = Set(plan.prepared)
        var copy = self
        copy.items = items.filter { !($0.kind == .shadowLeftover && prepared.contains($0.object)) }
        copy.preparedShadows = items.count - copy.items.count
        return copy
    }

    /// Every item with when `plan` fixes it (``DriftFix``): the last phase of the plan that touches the
    /// item's template and tenant, and when the windows let it start (``Plan/when``, which the scheduler
    /// fills in); or why no plan fixes it yet.
    public func annotated(by plan: Plan) -> DriftReport {
        var copy = self
        copy.items = items.map { item in
            var item = item
            item.fix = plan.fix(of: item)
            return item
        }
        return copy
    }
}

extension Plan {
    /// When this plan fixes `item`, or why it does not.
    public func fix(of item: DriftItem) -> DriftFix {
        let key = "\(item.kind.rawValue) \(item.object)"
        if let reason = unplannedReasons[key] ?? (unplanned.contains(key) ? "see the plan's notes" : nil) {
            return DriftFix(status: .notPlanned, phase: nil, start: nil, text: "not planned yet: \(reason)")
        }
        if let asOfRegression {
            return DriftFix(status: .notPlanned, phase: nil, start: nil, text: "not applied: " + asOfRegression.refusal)
        }
        guard let phase = fixPhase(of: item) else {
            return DriftFix(status: .notPlanned, phase: nil, start: nil, text: "no step of the plan fixes it; report it to warden's maintainers")
        }
        guard let when = when?.phases.first(where: { $0.phase == phase }) else {
            return DriftFix(status: .now, phase: phase.rawValue, start: nil, text: "by the plan's \(phase.rawValue) phase")
        }
        let status: DriftFix.Status = switch when.status {
        case .now: .now
        case .waiting: .waiting
        case .refused: .refused
        }
        return DriftFix(status: status, phase: phase.rawValue, start: when.start, text: "\(phase.rawValue): \(when.text)")
    }

    /// The last phase with a step on the item's template and tenant (a step or item naming neither
    /// matches any), or the plan's last phase when no step names them.
    func fixPhase(of item: DriftItem) -> PlanStep.Phase? {
        func matches(_ step: PlanStep) -> Bool {
            (item.template == nil || step.template == nil || step.template == item.template)
                && (item.tenant == nil || step.tenant == nil || step.tenant == item.tenant)
        }
        return steps.filter(matches).map(\.phase).max() ?? steps.map(\.phase).max()
    }
}
