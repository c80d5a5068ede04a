import Foundation

/// A Swift value that can be sent as a query parameter, in PostgreSQL's text input format.
public protocol PostgresBindable {
    /// The text form of the value, or `nil` for SQL NULL.
    var postgresText: String? { get }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}

extension String: PostgresBindable { public var postgresText: String? { self } }
extension Substring: PostgresBindable { public var postgresText: String? { String(self) } }
extension Int: PostgresBindable { public var postgresText: String? { String(self) } }
extension Int64: PostgresBindable { public var postgresText: String? { String(self) } }
extension Int32: PostgresBindable { public var postgresText: String? { String(self) } }
extension UInt32: PostgresBindable { public var postgresText: String? { String(self) } }
extension Bool: PostgresBindable { public var postgresText: String? { self ? "t" : "f" } }
extension Double: PostgresBindable { public var postgresText: String? { "\(self)" } }
extension Decimal: PostgresBindable {
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")) }
}
extension PostgresDate: PostgresBindable { public var postgresText: String? { description } }

/// Timestamps are sent in UTC with microseconds, which `timestamptz` stores exactly.
extension Date: PostgresBindable {
    public var postgresText: String? {
        let interval = timeIntervalSince1970
        var seconds = Int(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros == 1_000_000 {
            seconds += 1
            micros = 0
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }
}

/// Text arrays (`$1::text[]`).
extension Array: PostgresBindable where Element == String {
    public var postgresText: String? { PostgresArrayLiteral.render(self) }
}
