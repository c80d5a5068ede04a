/// When each phase of a plan may run, as the maintenance windows say: the `when` of
/// `warden plan --format json` and of `GET /api/v1/plan`, the text output's "when" lines for machines.
/// The planner leaves it out (`null`); the scheduler fills it in.
public struct PlanSchedule: Sendable, Hashable, Codable {
    /// When the windows were evaluated (RFC 3339, UTC): `--at`, or the clock.
    public var evaluatedAt: String
    /// One entry per phase that has steps, in phase order.
    public var phases: [PhaseWhen]

    public init(evaluatedAt: String, phases: [PhaseWhen]) {
        self.evaluatedAt = evaluatedAt
        self.phases = phases
    }
}

/// When one phase may run.
public struct PhaseWhen: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// May start at `evaluatedAt`.
        case now
        /// Waits until `start` (or, when `start` is null, for no opening within the search horizon).
        case waiting
        /// Refused outright (`--now` through a deny window without `manualSync`).
        case refused
    }

    public var phase: PlanStep.Phase
    public var status: Status
    /// When it may start (RFC 3339, UTC): the evaluation time for `now`, the opening it waits for for
    /// `waiting`; null when no opening is in sight or it is refused.
    public var start: String?
    /// When the window that admits it closes (RFC 3339, UTC); null when nothing limits it.
    public var deadline: String?
    /// The allow window it waits for, when it waits for one.
    public var window: String?
    /// The sentence the text output prints for this phase.
    public var text: String

    public init(phase: PlanStep.Phase, status: Status, start: String?, deadline: String?, window: String?, text: String) {
        self.phase = phase
        self.status = status
        self.start = start
        self.deadline = deadline
        self.window = window
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case phase, status, start, deadline, window, text }

    /// Every key is always present (`null` when empty), as in the rest of the plan.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(phase, forKey: .phase)
        try container.encode(status, forKey: .status)
        try container.encode(start, forKey: .start)
        try container.encode(deadline, forKey: .deadline)
        try container.encode(window, forKey: .window)
        try container.encode(text, forKey: .text)
    }
}
