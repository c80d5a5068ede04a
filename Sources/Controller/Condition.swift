import Foundation

/// One Kubernetes-style condition of the controller (`metav1.Condition` without `observedGeneration`):
/// a type, a status, a CamelCase reason, a sentence, and when the status last changed.
///
/// Tools that understand Kubernetes conditions (`kubectl wait --for=condition=Ready`-style checks,
/// kstatus pollers) read these the same way: `Ready` is the summary, the others say why.
public struct Condition: Sendable, Equatable, Codable {
    /// The condition types warden reports, in the order status lists them.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// The summary: the warehouse matches the desired state, or the controller is doing what it should
        /// (True), or something needs attention (False).
        case ready = "Ready"
        /// The last fetch of the repository worked.
        case gitReachable = "GitReachable"
        /// The warehouse answered the last query.
        case databaseReachable = "DatabaseReachable"
        /// The desired state at the target revision loads without errors.
        case desiredStateValid = "DesiredStateValid"
        /// The last pass found no drift.
        case inSync = "InSync"
        /// Someone suspended reconciling (abnormal-true: False in normal operation).
        case suspended = "Suspended"
        /// This replica holds the `warden.apply` advisory lock.
        case leader = "Leader"
    }

    /// `True`, `False` or `Unknown`, spelled as Kubernetes spells them.
    public enum Status: String, Sendable, Equatable, Codable, CaseIterable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"

        /// `True` or `False`.
        public init(_ value: Bool) { self = value ? .true : .false }
    }

    public var type: Kind
    public var status: Status
    /// Why, in one CamelCase word (`FetchFailed`, `DriftFound`, `WindowClosed`).
    public var reason: String
    /// One sentence for people.
    public var message: String
    /// When ``status`` last changed (not when the condition was last checked).
    public var lastTransitionTime: Date

    public init(type: Kind, status: Status, reason: String, message: String, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    enum CodingKeys: String, CodingKey { case type, status, reason, message, lastTransitionTime }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(Kind.self, forKey: .type)
        status = try container.decode(Status.self, forKey: .status)
        reason = try container.decode(String.self, forKey: .reason)
        message = try container.decode(String.self, forKey: .message)
        lastTransitionTime = try Timestamp.decode(container, .lastTransitionTime)
    }

    /// `lastTransitionTime` as RFC 3339, whatever the encoder's date strategy.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(reason, forKey: .reason)
        try container.encode(message, forKey: .message)
        try container.encode(Timestamp.string(lastTransitionTime), forKey: .lastTransitionTime)
    }
}
