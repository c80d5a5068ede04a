import Foundation
import WardenModel

/// One opening of a maintenance window: from a start of its schedule for its duration.
public struct WindowOccurrence: Sendable, Hashable, Codable {
    /// The window's name.
    public var name: String
    /// Allow or deny.
    public var kind: MaintenanceWindow.Kind
    /// A start of the window's schedule, with the UTC offset in force then.
    public var start: Date
    /// `start` plus the window's duration, in absolute time (a window across a clock change lasts
    /// exactly its duration).
    public var end: Date
    /// Whether `warden apply --now` may act while this (deny) window is active.
    public var manualSync: Bool
    /// The IANA zone the schedule is read in.
    public var timeZone: String

    /// An occurrence.
    public init(name: String, kind: MaintenanceWindow.Kind, start: Date, end: Date, manualSync: Bool, timeZone: String) {
        self.name = name
        self.kind = kind
        self.start = start
        self.end = end
        self.manualSync = manualSync
        self.timeZone = timeZone
    }

    /// Whether the window is open at `date`: `start <= date < end`.
    public func isActive(at date: Date) -> Bool { start <= date && date < end }

    /// How long it lasts, in seconds.
    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// Ordered by start, then name, then kind and end, so listings are deterministic.
    static func precedes(_ lhs: WindowOccurrence, _ rhs: WindowOccurrence) -> Bool {
        (lhs.start, lhs.name, lhs.kind.rawValue, lhs.end) < (rhs.start, rhs.name, rhs.kind.rawValue, rhs.end)
    }
}
