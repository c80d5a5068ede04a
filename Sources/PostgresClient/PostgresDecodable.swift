import Foundation

/// A Swift type that can be read from PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Parses the text form of a value of the given type.
    init(postgresText text: String, typeOID: UInt32) throws
    /// The value for SQL NULL; throws unless the type is an `Optional`.
    static func decodeNull() throws -> Self
}

/// The error a ``PostgresDecodable`` throws for text it cannot parse.
public struct PostgresDecodingFailure: Error, Sendable {}

extension PostgresDecodable {
    public static func decodeNull() throws -> Self { throw PostgresDecodingFailure() }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        self = .some(try Wrapped(postgresText: text, typeOID: typeOID))
    }
    public static func decodeNull() throws -> Self { .none }
}

extension String: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) { self = text }
}

extension Int: PostgresDecodable {}

extension Int64: PostgresDecodable {}

extension Int32: PostgresDecodable {}

extension Int16: PostgresDecodable {}

/// OIDs (`oid`, `regclass` read as a number) are unsigned 32-bit integers.
extension UInt32: PostgresDecodable {}

/// Integers parse their decimal text; out-of-range values fail rather than wrap.
extension PostgresDecodable where Self: FixedWidthInteger {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let value = Self(text, radix: 10) else { throw PostgresDecodingFailure() }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let value = Double(text) else { throw PostgresDecodingFailure() }
        self = value
    }
}

/// `numeric` without loss of precision (`NaN` is not representable and fails to decode).
extension Decimal: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw PostgresDecodingFailure()
        }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        switch text {
        case "t", "true", "on", "1": self = true
        case "f", "false", "off", "0": self = false
        default: throw PostgresDecodingFailure()
        }
    }
}

/// `timestamptz` (and `timestamp`, read as UTC): `2026-11-21 10:35:04.123456+00` in ISO DateStyle.
extension Date: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let date = PostgresTimestamp.parse(text) else { throw PostgresDecodingFailure() }
        self = date
    }
}

/// Text arrays (`text[]`, `name[]`, `aclitem[]`…): `{a,"b c",NULL}`; NULL elements are dropped.
extension Array: PostgresDecodable where Element == String {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let elements = PostgresArrayLiteral.parse(text) else { throw PostgresDecodingFailure() }
        self = elements.compactMap { $0 }
    }
}
