import Foundation

/// A snapshot of the controller for `GET /api/v1/status` and the status page (DESIGN.md §7, §8).
///
/// Every key is always present in the JSON (`null` when there is nothing to say), so consumers need no
/// defaults. The stable part is `{"leader", "revision", "phase", "conditions", "nextWindow"}`; more keys
/// may be added, none changes meaning.
public struct ControllerStatus: Sendable, Equatable, Codable {
    /// What the controller is doing, in one word.
    public enum Phase: String, Sendable, Equatable, Codable, CaseIterable {
        /// Loading the configuration, connecting, reading the first revision.
        case starting
        /// Another replica holds the `warden.apply` lock; this one watches and waits to take over.
        case standby
        /// In sync, or drift reported in report mode; waiting for the next poll.
        case idle
        /// A pass is running: fetching, diffing, planning or applying.
        case reconciling
        /// Work is due but no window allows it; ``ControllerStatus/nextWindow`` says when one opens.
        case blockedByWindow = "blocked-by-window"
        /// The desired state at the target revision is invalid; waiting for a new commit, the last good
        /// state stays applied. ``ControllerStatus/diagnostics`` says what to fix.
        case stalled
        /// Suspended by someone; ``ControllerStatus/suspended`` says who and why.
        case suspended
        /// Passes fail (git or the database unreachable, a step failed) and are retried with backoff.
        case degraded
    }

    /// Why and since when reconciling is suspended.
    public struct Suspension: Sendable, Equatable, Codable {
        public var reason: String
        public var since: Date

        public init(reason: String, since: Date) {
            self.reason = reason
            self.since = since
        }

        enum CodingKeys: String, CodingKey { case reason, since }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            reason = try container.decode(String.self, forKey: .reason)
            since = try Timestamp.decode(container, .since)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(reason, forKey: .reason)
            try container.encode(Timestamp.string(since), forKey: .since)
        }
    }

    /// The last finished pass.
    public struct LastReconcile: Sendable, Equatable, Codable {
        /// When it finished.
        public var at: Date
        public var result: ReconcileResult
        /// How long it took.
        public var seconds: Double
        /// Drift items it found.
        public var driftItems: Int
        /// Steps it ran.
        public var steps: Int

        public init(at: Date, result: ReconcileResult, seconds: Double, driftItems: Int, steps: Int) {
            self.at = at
            self.result = result
            self.seconds = seconds
            self.driftItems = driftItems
            self.steps = steps
        }

        enum CodingKeys: String, CodingKey { case at, result, seconds, driftItems, steps }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            at = try Timestamp.decode(container, .at)
            result = try container.decode(ReconcileResult.self, forKey: .result)
            seconds = try container.decode(Double.self, forKey: .seconds)
            driftItems = try container.decode(Int.self, forKey: .driftItems)
            steps = try container.decode(Int.self, forKey: .steps)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Timestamp.string(at), forKey: .at)
            try container.encode(result, forKey: .result)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(driftItems, forKey: .driftItems)
            try container.encode(steps, forKey: .steps)
        }
    }

    /// This replica holds the `warden.apply` advisory lock and is the one that acts.
    public var leader: Bool
    public var phase: Phase
    /// `apply` or `report` (``ControllerConfiguration/Mode``).
    public var mode: ControllerConfiguration.Mode
    /// The target: the commit of the desired state the controller works towards; `nil` before the first fetch.
    public var revision: String?
    /// The revision whose plan last ran to its end.
    public var lastAppliedRevision: String?
    /// The newest revision that loaded without errors (what a stalled controller keeps applying).
    public var lastGoodRevision: String?
    /// One condition per ``Condition/Kind``, in that order.
    public var conditions: [Condition]
    /// The window that opens next (the active one while one is open), or `nil` when there are no windows.
    public var nextWindow: WindowView?
    /// Set while reconciling is suspended.
    public var suspended: Suspension?
    public var lastReconcile: LastReconcile?
    /// What to fix when ``phase`` is `stalled`: the desired state's diagnostics, `file:line: message`.
    public var diagnostics: [String]

    public init(
        leader: Bool, phase: Phase, mode: ControllerConfiguration.Mode, revision: String? = nil,
        lastAppliedRevision: String? = nil, lastGoodRevision: String? = nil, conditions: [Condition] = [],
        nextWindow: WindowView? = nil, suspended: Suspension? = nil, lastReconcile: LastReconcile? = nil,
        diagnostics: [String] = []
    ) {
        self.leader = leader
        self.phase = phase
        self.mode = mode
        self.revision = revision
        self.lastAppliedRevision = lastAppliedRevision
        self.lastGoodRevision = lastGoodRevision
        self.conditions = conditions
        self.nextWindow = nextWindow
        self.suspended = suspended
        self.lastReconcile = lastReconcile
        self.diagnostics = diagnostics
    }

    /// The status of a controller that has just started: phase `starting`, every condition `Unknown`.
    public static func starting(mode: ControllerConfiguration.Mode, at now: Date) -> ControllerStatus {
        ControllerStatus(
            leader: false, phase: .starting, mode: mode,
            conditions: Condition.Kind.allCases.map {
                Condition(type: $0, status: .unknown, reason: "Starting", message: "the controller is starting", lastTransitionTime: now)
            })
    }

    enum CodingKeys: String, CodingKey {
        case leader, phase, mode, revision, lastAppliedRevision, lastGoodRevision, conditions, nextWindow, suspended,
             lastReconcile, diagnostics
    }

    /// Every key, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leader, forKey: .leader)
        try container.encode(phase, forKey: .phase)
        try container.encode(mode.rawValue, forKey: .mode)
        try container.encode(revision, forKey: .revision)
        try container.encode(lastAppliedRevision, forKey: .lastAppliedRevision)
        try container.encode(lastGoodRevision, forKey: .lastGoodRevision)
        try container.encode(conditions, forKey: .conditions)
        try container.encode(nextWindow, forKey: .nextWindow)
        try container.encode(suspended, forKey: .suspended)
        try container.encode(lastReconcile, forKey: .lastReconcile)
        try container.encode(diagnostics, forKey: .diagnostics)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leader = try container.decode(Bool.self, forKey: .leader)
        phase = try container.decode(Phase.self, forKey: .phase)
        let modeText = try container.decode(String.self, forKey: .mode)
        guard let mode = ControllerConfiguration.Mode(rawValue: modeText) else {
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container, debugDescription: "unknown mode \(modeText)")
        }
        self.mode = mode
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        lastAppliedRevision = try container.decodeIfPresent(String.self, forKey: .lastAppliedRevision)
        lastGoodRevision = try container.decodeIfPresent(String.self, forKey: .lastGoodRevision)
        conditions = try container.decode([Condition].self, forKey: .conditions)
        nextWindow = try container.decodeIfPresent(WindowView.self, forKey: .nextWindow)
        suspended = try container.decodeIfPresent(Suspension.self, forKey: .suspended)
        lastReconcile = try container.decodeIfPresent(LastReconcile.self, forKey: .lastReconcile)
        diagnostics = try container.decode([String].self, forKey: .diagnostics)
    }

    /// The machine format, keys sorted.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
