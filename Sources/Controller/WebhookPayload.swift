import Foundation

/// The one JSON body every webhook receives, whatever the event (docs/WEBHOOKS.md, field by field).
///
/// Every key is always present, `null` when it has nothing to say for the event, so a receiver needs
/// no defaults. ``version`` is raised only when a field changes meaning or goes away; added fields
/// keep it.
public struct WebhookPayload: Sendable, Equatable, Codable {
    /// The schema version this code sends.
    public static let currentVersion = 1

    /// The schema version: 1.
    public var version: Int
    /// What happened.
    public var event: ControllerConfiguration.Event
    /// When the controller sent it (RFC 3339, UTC, whole seconds).
    public var at: Date
    /// The host name of the replica that sent it.
    public var host: String
    /// The commit the controller works towards; `nil` for a local folder that is not a repository.
    public var revision: String?
    /// The controller's phase as the event is sent (``ControllerStatus/Phase``).
    public var phase: ControllerStatus.Phase
    /// One sentence for people: the drift found, why work waits, what ran, what failed.
    public var message: String
    /// The drift items the pass found (`drift`, `blocked`, `apply-started`).
    public var driftItems: Int?
    /// The steps of the plan (`drift`, `blocked`, `apply-started`) or the steps run (`apply-succeeded`).
    public var steps: Int?
    /// The id of the run in `_wh.warden_runs` (`apply-succeeded`).
    public var run: Int64?
    /// How long the apply took (`apply-succeeded`).
    public var seconds: Double?
    /// When the work that waits may start (`blocked` by a window), RFC 3339.
    public var until: Date?

    public init(
        event: ControllerConfiguration.Event, at: Date, host: String, revision: String?, phase: ControllerStatus.Phase,
        message: String, driftItems: Int? = nil, steps: Int? = nil, run: Int64? = nil, seconds: Double? = nil,
        until: Date? = nil
    ) {
        self.version = Self.currentVersion
        self.event = event
        self.at = at
        self.host = host
        self.revision = revision
        self.phase = phase
        self.message = message
        self.driftItems = driftItems
        self.steps = steps
        self.run = run
        self.seconds = seconds
        self.until = until
    }

    /// The keys in the order the documentation lists them.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case version, event, at, host, revision, phase, message, driftItems, steps, run, seconds, until
    }

    /// Every key, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(event, forKey: .event)
        try container.encode(Timestamp.string(at), forKey: .at)
        try container.encode(host, forKey: .host)
        try container.encode(revision, forKey: .revision)
        try container.encode(phase, forKey: .phase)
        try container.encode(message, forKey: .message)
        try container.encode(driftItems, forKey: .driftItems)
        try container.encode(steps, forKey: .steps)
        try container.encode(run, forKey: .run)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(until.map(Timestamp.string), forKey: .until)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        event = try container.decode(ControllerConfiguration.Event.self, forKey: .event)
        at = try Timestamp.decode(container, .at)
        host = try container.decode(String.self, forKey: .host)
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        phase = try container.decode(ControllerStatus.Phase.self, forKey: .phase)
        message = try container.decode(String.self, forKey: .message)
        driftItems = try container.decodeIfPresent(Int.self, forKey: .driftItems)
        steps = try container.decodeIfPresent(Int.self, forKey: .steps)
        run = try container.decodeIfPresent(Int64.self, forKey: .run)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
        until = try Timestamp.decodeIfPresent(container, .until)
    }

    /// The body as posted: compact JSON, keys sorted.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
