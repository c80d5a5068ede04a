import Foundation

/// A calendar date as PostgreSQL's `date` holds it, with no time zone attached.
public struct PostgresDate: Sendable, Hashable, Comparable, CustomStringConvertible, PostgresDecodable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(postgresText text: String, typeOID: UInt32 = 1082) throws {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day)
        else { throw PostgresDecodingFailure() }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Parsing of `timestamptz` text in ISO DateStyle, which warden sets on every session.
enum PostgresTimestamp {
    /// `2026-11-21 10:35:04.123456+00`, `…+05:30`, `…-03:30:15`; `infinity` is not a Date and fails.
    static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count >= 19, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                fraction += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            let sign = utf8[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(index..<(index + 2)) else { return nil }
            offsetSeconds = hours * 3600
            index += 2
            if index < utf8.count, utf8[index] == UInt8(ascii: ":"), let minutes = number((index + 1)..<(index + 3)) {
                offsetSeconds += minutes * 60
                index += 3
                if index < utf8.count, utf8[index] == UInt8(ascii: ":"),
                   let seconds = number((index + 1)..<(index + 3)) {
                    offsetSeconds += seconds
                }
            }
            offsetSeconds *= sign
        }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let base = calendar.date(from: components) else { return nil }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}
