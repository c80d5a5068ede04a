import Foundation

/// RFC 3339 times as warden's machine formats write them: UTC, whole seconds (`2025-03-02T02:00:00Z`).
public enum Timestamp {
    /// `2025-03-02T02:00:00Z`.
    public static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// The date of an RFC 3339 time, with or without fractional seconds; `nil` if it is not one.
    public static func date(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text)
    }

    /// Decodes an RFC 3339 string field.
    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = date(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        return date
    }

    /// Decodes an RFC 3339 string field that may be `null`.
    static func decodeIfPresent<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = date(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        return date
    }
}
