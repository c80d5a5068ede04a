/// A column type in PostgreSQL's canonical spelling (what `format_type` prints): `integer`, not `int4`
/// or `INT`; `timestamp with time zone`, not `timestamptz`; `numeric(10,3)`.
///
/// Drift compares types through this spelling only, so `int`, `int4` and `INTEGER` are one type.
public struct ColumnType: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The canonical spelling.
    public let name: String

    /// A type already in canonical spelling (from the server's `format_type`).
    public init(canonical name: String) { self.name = name }

    /// Normalizes a spelling of a built-in type; `nil` if it is not one warden knows offline (it may
    /// still be a type the server knows — a domain, an enum, an extension's type).
    public init?(_ spelling: String) {
        guard let name = ColumnType.normalize(spelling) else { return nil }
        self.name = name
    }

    public var description: String { name }

    public init(from decoder: any Decoder) throws {
        self.name = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// The base name without modifiers or array brackets (`numeric` for `numeric(10,3)[]`).
    public var baseName: String {
        var base = name
        if let paren = base.firstIndex(of: "(") { base = String(base[..<paren]) }
        while base.hasSuffix("[]") { base.removeLast(2) }
        return base.trimmingSpaces
    }

    /// Canonical spelling of a built-in type, or `nil`.
    public static func normalize(_ spelling: String) -> String? {
        // Lower-case, collapse whitespace, no spaces around parentheses and commas.
        var text = ""
        var lastWasSpace = false
        for character in spelling.lowercased() {
            if character == " " || character == "\t" || character == "\n" {
                lastWasSpace = true
                continue
            }
            if lastWasSpace && !text.isEmpty && !"(),[".contains(character) && !text.hasSuffix("(") && !text.hasSuffix(",") {
                text.append(" ")
            }
            lastWasSpace = false
            text.append(character)
        }
        guard !text.isEmpty else { return nil }
        var arraySuffix = ""
        while text.hasSuffix("[]") {
            arraySuffix += "[]"
            text.removeLast(2)
        }
        var modifiers = ""
        if let open = text.firstIndex(of: "(") {
            guard text.hasSuffix(")") else {
                // Modifiers may sit in the middle: "timestamp(3) with time zone".
                guard let close = text.firstIndex(of: ")"), close > open else { return nil }
                let inner = String(text[text.index(after: open)..<close])
                let rest = String(text[text.index(after: close)...]).trimmingSpaces
                let head = String(text[..<open]).trimmingSpaces
                guard let base = aliases[(head + " " + rest).trimmingSpaces],
                      base.hasPrefix("timestamp") || base.hasPrefix("time ") || base == "time with time zone"
                        || base == "time without time zone",
                      inner.allSatisfy(\.isNumber)
                else { return nil }
                let parts = base.split(separator: " ", maxSplits: 1)
                return String(parts[0]) + "(\(inner)) " + String(parts[1]) + arraySuffix
            }
            modifiers = String(text[open...])
            text = String(text[..<open]).trimmingSpaces
            let inner = modifiers.dropFirst().dropLast()
            let numbers = inner.split(separator: ",", omittingEmptySubsequences: false)
            guard !numbers.isEmpty, numbers.count <= 2, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                return nil
            }
            modifiers = "(" + numbers.joined(separator: ",") + ")"
        }
        guard let base = aliases[text] else { return nil }
        // A bare `char` is `character(1)`, as PostgreSQL stores it.
        if base == "character" && modifiers.isEmpty { return "character(1)" + arraySuffix }
        if !modifiers.isEmpty {
            guard typesWithModifiers.contains(base) else { return nil }
            if base.hasPrefix("timestamp") || base.hasPrefix("time ") {
                let parts = base.split(separator: " ", maxSplits: 1)
                return String(parts[0]) + modifiers + " " + String(parts[1]) + arraySuffix
            }
        }
        return base + modifiers + arraySuffix
    }

    /// Every spelling of a built-in type that ``init(_:)`` accepts without modifiers, sorted: for
    /// did-you-mean suggestions when a spelling is not a type.
    public static var builtInSpellings: [String] { aliases.keys.sorted() }

    /// Types that take modifiers: `numeric(p,s)`, `character varying(n)`, `timestamp(p) …`.
    static let typesWithModifiers: Set<String> = [
        "numeric", "character varying", "character", "bit", "bit varying", "timestamp with time zone",
        "timestamp without time zone", "time with time zone", "time without time zone", "interval",
    ]

    /// Every spelling of the built-in types warden knows offline → canonical spelling.
    static let aliases: [String: String] = {
        var map: [String: String] = [:]
        let groups: [String: [String]] = [
            "smallint": ["smallint", "int2"],
            "integer": ["integer", "int", "int4"],
            "bigint": ["bigint", "int8"],
            "numeric": ["numeric", "decimal"],
            "real": ["real", "float4"],
            "double precision": ["double precision", "float8", "float"],
            "text": ["text"],
            "character varying": ["character varying", "varchar"],
            "character": ["character", "char", "bpchar"],
            "boolean": ["boolean", "bool"],
            "date": ["date"],
            "timestamp with time zone": ["timestamp with time zone", "timestamptz"],
            "timestamp without time zone": ["timestamp without time zone", "timestamp"],
            "time without time zone": ["time without time zone", "time"],
            "time with time zone": ["time with time zone", "timetz"],
            "interval": ["interval"],
            "uuid": ["uuid"], "json": ["json"], "jsonb": ["jsonb"], "bytea": ["bytea"],
            "inet": ["inet"], "cidr": ["cidr"], "macaddr": ["macaddr"], "money": ["money"],
            "bit": ["bit"], "bit varying": ["bit varying", "varbit"], "xml": ["xml"], "oid": ["oid"],
            "tsvector": ["tsvector"], "point": ["point"], "name": ["name"],
        ]
        for (canonical, spellings) in groups {
            for spelling in spellings { map[spelling] = canonical }
        }
        return map
    }()
}
