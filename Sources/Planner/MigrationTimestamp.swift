import WardenModel

/// The moment a migration file is written, passed in by the caller (the planner reads no clock).
public struct MigrationTimestamp: Sendable, Hashable, Codable {
    public var day: Day
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(day: Day, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// `YYYYMMDD_HHMMSS`, seed 002's file-name prefix.
    public var compact: String {
        day.nameSuffix.replacing("_", with: "") + "_" + [hour, minute, second].map(MigrationTimestamp.twoDigits).joined()
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
