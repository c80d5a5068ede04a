import Foundation
import Planner

extension Schedule {
    /// For display (`warden plan`, `warden windows`): when each phase of `plan` would start if begun at `date`
    /// (prepare, then swap, then cleanup, each after the previous finishes by the estimates).
    ///
    /// Steps are assumed to run one after another (a `nil` estimate counts as 0), each admitted at the
    /// instant the one before it finishes, so a phase that outlasts its window waits for the next one.
    /// A phase that starts at `date` is ``Admission/run(deadline:)``; one that starts later is
    /// ``Admission/wait(until:window:reason:)`` with its start; a phase after one that cannot finish
    /// waits with `until: nil` (or is refused, when that one was). Phases without steps are left out.
    public func phaseTimes(for plan: Plan, at date: Date, override: ManualOverride? = nil) -> [PlanStep.Phase: Admission] {
        var times: [PlanStep.Phase: Admission] = [:]
        var cursor = date
        var previous: PlanStep.Phase?
        var stuck: Admission?
        var permit: Permit?
        for phase in PlanStep.Phase.allCases {
            let steps = plan.steps(in: phase)
            guard !steps.isEmpty else { continue }
            defer { previous = phase }
            if let stuck {
                times[phase] = following(phase, after: previous, stuck: stuck)
                continue
            }
            for (index, step) in steps.enumerated() {
                switch simulate(step, from: cursor, override: override, permit: &permit) {
                case .started(let start, let first):
                    if index == 0 { times[phase] = phaseStart(phase, at: start, from: date, first: first, after: previous) }
                    cursor = start.addingTimeInterval(Self.seconds(step.estimateSeconds))
                case .stuck(let admission):
                    if index == 0 { times[phase] = admission }
                    stuck = admission
                }
                if stuck != nil { break }
            }
        }
        return times
    }

    /// Time known to permit a kind of step: a shortcut past `admit` for the steps that follow.
    struct Permit {
        var needsAllow: Bool
        var deadline: Date?
    }

    /// Where a simulated step ends up.
    enum Outcome {
        /// It starts at `start`; `first` is what the scheduler said when it was first asked.
        case started(at: Date, first: Admission)
        /// It can never start (within the search horizon), or is refused.
        case stuck(Admission)
    }

    /// When `step` starts if it is ready at `date`.
    private func simulate(_ step: PlanStep, from date: Date, override: ManualOverride?, permit: inout Permit?) -> Outcome {
        let needsAllow = calendar.hasAllowWindows && needsAllowWindow(step)
        let end = date.addingTimeInterval(Self.seconds(step.estimateSeconds))
        if let known = permit, known.needsAllow == needsAllow {
            // Within the same opening as the step before, the answer is the same.
            if let deadline = known.deadline, end <= deadline { return .started(at: date, first: .run(deadline: deadline)) }
            if known.deadline == nil, !calendar.hasDenyWindows { return .started(at: date, first: .run(deadline: nil)) }
        }
        var at = date
        var first: Admission?
        for _ in 0..<8 {
            let admission = admit(step, at: at, override: override)
            if first == nil { first = admission }
            switch admission {
            case .run(let deadline):
                permit = Permit(needsAllow: needsAllow, deadline: deadline)
                return .started(at: at, first: first ?? admission)
            case .wait(let until?, _, _):
                at = until
            case .wait(nil, _, _), .refused:
                return .stuck(admission)
            }
        }
        return .started(at: at, first: first ?? .run(deadline: nil))
    }

    /// What a phase whose first step starts at `start` looks like from `date`.
    private func phaseStart(
        _ phase: PlanStep.Phase, at start: Date, from date: Date, first: Admission, after previous: PlanStep.Phase?
    ) -> Admission {
        if start == date { return first }
        if case .wait(_, let window, let reason) = first { return .wait(until: start, window: window, reason: reason) }
        let before = previous.map { "the \($0.rawValue) phase" } ?? "the steps before it"
        return .wait(until: start, window: nil, reason: "\(Schedule.followingPrefix)\(before), by the estimates.")
    }

    /// How the reason of a phase that only waits for the one before it begins (`after the swap phase,
    /// by the estimates`): its line is then not a `waiting:` one.
    static let followingPrefix = "after "

    /// What a phase after one that cannot go on looks like.
    private func following(_ phase: PlanStep.Phase, after previous: PlanStep.Phase?, stuck: Admission) -> Admission {
        let before = previous.map { "the \($0.rawValue) phase" } ?? "an earlier phase"
        switch stuck {
        case .refused(let reason):
            return .refused(reason: "the \(phase.rawValue) phase cannot start because \(before) is refused: \(reason)")
        case .wait(_, _, let reason):
            return .wait(until: nil, window: nil, reason: "the \(phase.rawValue) phase cannot start because \(before) cannot finish: \(reason)")
        case .run:
            return stuck
        }
    }
}

extension Schedule {
    /// ``phaseTimes(for:at:override:)`` as the plan's machine format carries it: one ``PhaseWhen`` per
    /// phase with steps, its `text` the same sentence the text output prints.
    public func planSchedule(for plan: Plan, at date: Date, override: ManualOverride? = nil) -> PlanSchedule {
        let times = phaseTimes(for: plan, at: date, override: override)
        let phases = PlanStep.Phase.allCases.compactMap { phase -> PhaseWhen? in
            guard !plan.steps(in: phase).isEmpty, let admission = times[phase] else { return nil }
            return PhaseWhen(phase: phase, admission: admission, at: date)
        }
        return PlanSchedule(evaluatedAt: ScheduleText.rfc3339(date), phases: phases)
    }
}

extension PhaseWhen {
    /// One phase's admission, evaluated at `date`.
    public init(phase: PlanStep.Phase, admission: Admission, at date: Date) {
        let text = ScheduleText.line(admission, at: date)
        switch admission {
        case .run(let deadline):
            self.init(phase: phase, status: .now, start: ScheduleText.rfc3339(date),
                      deadline: deadline.map(ScheduleText.rfc3339), window: nil, text: text)
        case .wait(let until, let window, _):
            self.init(phase: phase, status: .waiting, start: until.map(ScheduleText.rfc3339),
                      deadline: window.map { ScheduleText.rfc3339($0.end) }, window: window?.name, text: text)
        case .refused:
            self.init(phase: phase, status: .refused, start: nil, deadline: nil, window: nil, text: text)
        }
    }
}
