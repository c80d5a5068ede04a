/// When reconciling will fix a drift item (DESIGN.md §4), or why it will not yet: the plan's phase that
/// last touches the item's template and tenant, and when the maintenance windows let that phase run.
///
/// Drift alone cannot know it (the planner and the scheduler do), so ``DriftItem/fix`` is `nil` from
/// ``DriftDetector`` and filled in by the commands and the controller.
public struct DriftFix: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// The phase that fixes it may start now.
        case now
        /// The phase waits for a window (``start``), or for no opening in sight (`start` null).
        case waiting
        /// The windows refuse the phase outright.
        case refused
        /// No plan fixes it yet; ``text`` says why and what to do.
        case notPlanned
    }

    public var status: Status
    /// `prepare`, `swap` or `cleanup`; `nil` when not planned.
    public var phase: String?
    /// When that phase may start (RFC 3339, UTC); `nil` when not planned, refused or no opening in sight.
    public var start: String?
    /// One sentence for people: `swap: waiting for window sunday-night: opens … (in 4d 19h)`.
    public var text: String

    public init(status: Status, phase: String?, start: String?, text: String) {
        self.status = status
        self.phase = phase
        self.start = start
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case status, phase, start, text }

    /// Every key is always present (`null` when empty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(phase, forKey: .phase)
        try container.encode(start, forKey: .start)
        try container.encode(text, forKey: .text)
    }
}
