import Foundation
import WardenModel

/// One occurrence of a maintenance window, as status, `GET /api/v1/windows` and `warden windows
/// --format json` show it: `{"name", "kind", "start", "end", "active", "manualSync"}` with RFC 3339 times.
public struct WindowView: Sendable, Equatable, Codable {
    public var name: String
    public var kind: MaintenanceWindow.Kind
    /// When this occurrence opens and closes.
    public var start: Date
    public var end: Date
    /// Open now.
    public var active: Bool
    /// `warden apply --now` may run inside it even when it is a deny window.
    public var manualSync: Bool
    /// The IANA time zone the window is declared in (`America/Chicago`); `nil` for UTC.
    public var timeZone: String?

    public init(
        name: String, kind: MaintenanceWindow.Kind, start: Date, end: Date, active: Bool, manualSync: Bool, timeZone: String? = nil
    ) {
        self.timeZone = timeZone
        self.name = name
        self.kind = kind
        self.start = start
        self.end = end
        self.active = active
        self.manualSync = manualSync
    }

    enum CodingKeys: String, CodingKey { case name, kind, start, end, active, manualSync, timeZone }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(MaintenanceWindow.Kind.self, forKey: .kind)
        start = try Timestamp.decode(container, .start)
        end = try Timestamp.decode(container, .end)
        active = try container.decode(Bool.self, forKey: .active)
        manualSync = try container.decode(Bool.self, forKey: .manualSync)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(Timestamp.string(start), forKey: .start)
        try container.encode(Timestamp.string(end), forKey: .end)
        try container.encode(active, forKey: .active)
        try container.encode(manualSync, forKey: .manualSync)
        try container.encode(timeZone, forKey: .timeZone)
    }
}
