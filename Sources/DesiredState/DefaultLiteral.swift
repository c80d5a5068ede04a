import WardenModel

/// Checks offline that a column's `default` parses as its type, as PostgreSQL's input function would:
/// a default that does not fails the `ALTER TABLE … ADD COLUMN … DEFAULT` in the middle of a window.
///
/// Integers, numerics, floats, booleans, dates, timestamps and UUIDs are checked; `character varying(n)`
/// and `character(n)` for length; text accepts anything; other types (domains, enums, extension types)
/// are left to the server.
enum DefaultLiteral {
    /// What the default should look like when it is not valid for `type`, e.g. "a whole number between
    /// -2147483648 and 2147483647"; `nil` when it is valid or cannot be checked offline.
    static func problem(_ text: String, type: ColumnType) -> String? {
        if type.name.hasSuffix("[]") { return nil }
        let value = text.trimmingSpaces
        switch type.baseName {
        case "smallint": return integerProblem(value, Int(Int16.min)...Int(Int16.max))
        case "integer": return integerProblem(value, Int(Int32.min)...Int(Int32.max))
        case "bigint": return integerProblem(value, Int.min...Int.max)
        case "numeric": return numericProblem(value, modifiers: modifiers(of: type))
        case "real", "double precision":
            return isFloat(value) ? nil : "a number such as 0 or 1.5 (or NaN, Infinity)"
        case "boolean":
            let words: Set = ["t", "f", "true", "false", "y", "n", "yes", "no", "on", "off", "1", "0"]
            return words.contains(value.lowercased()) ? nil : "true or false"
        case "date":
            return isDate(value) || isInfinity(value) ? nil : "a date in YYYY-MM-DD form, such as 2024-01-01"
        case "timestamp with time zone", "timestamp without time zone", "timestamp":
            return isTimestamp(value) || isInfinity(value)
                ? nil : "a timestamp in YYYY-MM-DD HH:MM:SS form with an optional zone, such as 2024-01-01 00:00:00+00"
        case "uuid":
            return isUUID(value) ? nil : "a UUID such as 00000000-0000-0000-0000-000000000000"
        case "character varying", "character":
            guard let limit = modifiers(of: type).first else { return nil }
            let length = type.baseName == "character" ? text.trimmingTrailingWhitespace.count : text.count
            return length <= limit ? nil : "text of at most \(limit) characters"
        default:
            return nil
        }
    }

    /// `[10, 3]` for `numeric(10,3)`.
    static func modifiers(of type: ColumnType) -> [Int] {
        guard let open = type.name.firstIndex(of: "("), let close = type.name.firstIndex(of: ")"), open < close else { return [] }
        return type.name[type.name.index(after: open)..<close].split(separator: ",").compactMap { Int($0) }
    }

    private static func integerProblem(_ value: String, _ range: ClosedRange<Int>) -> String? {
        let expected = "a whole number between \(range.lowerBound) and \(range.upperBound)"
        var digits = Substring(value)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return expected }
        guard let number = Int(value), range.contains(number) else { return expected }
        return nil
    }

    private static func numericProblem(_ value: String, modifiers: [Int]) -> String? {
        let lowered = value.lowercased()
        if ["nan", "infinity", "+infinity", "-infinity"].contains(lowered) { return nil }
        guard let parts = decimalParts(value) else { return "a decimal number such as 0 or 12.5" }
        guard let precision = modifiers.first else { return nil }
        let scale = modifiers.count > 1 ? modifiers[1] : 0
        let integerDigits = parts.integer.drop { $0 == "0" }.count
        guard integerDigits <= precision - scale else {
            return "a decimal number with at most \(precision - scale) digits before the point (numeric(\(precision),\(scale)))"
        }
        return nil
    }

    /// Integer and fraction digits of `[+-]digits[.digits]` (no exponent), or `nil`.
    private static func decimalParts(_ value: String) -> (integer: Substring, fraction: Substring)? {
        var text = Substring(value)
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = pieces[0]
        let fraction = pieces.count > 1 ? pieces[1] : ""
        guard !(integer.isEmpty && fraction.isEmpty),
              integer.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return (integer, fraction)
    }

    private static func isFloat(_ value: String) -> Bool {
        let lowered = value.lowercased()
        if ["nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"].contains(lowered) { return true }
        var mantissa = Substring(lowered)
        if let e = mantissa.firstIndex(of: "e") {
            var exponent = mantissa[mantissa.index(after: e)...]
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            mantissa = mantissa[..<e]
        }
        return decimalParts(String(mantissa)) != nil
    }

    private static func isInfinity(_ value: String) -> Bool {
        ["infinity", "-infinity", "+infinity"].contains(value.lowercased())
    }

    private static func isDate(_ value: String) -> Bool { Day(value) != nil }

    /// `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|UTC|±HH[[:]MM]]`.
    private static func isTimestamp(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 10, isDate(String(String.UnicodeScalarView(scalars[0..<10]))) else { return false }
        var rest = Array(scalars[10...])
        if rest.isEmpty { return true }
        guard rest[0] == " " || rest[0] == "T" || rest[0] == "t" else { return false }
        rest.removeFirst()
        func number(_ count: Int, max: Int) -> Bool {
            guard rest.count >= count else { return false }
            let digits = String(String.UnicodeScalarView(rest[0..<count]))
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits), value <= max else { return false }
            rest.removeFirst(count)
            return true
        }
        guard number(2, max: 23), rest.first == ":" else { return false }
        rest.removeFirst()
        guard number(2, max: 59) else { return false }
        if rest.first == ":" {
            rest.removeFirst()
            guard number(2, max: 60) else { return false }
            if rest.first == "." {
                rest.removeFirst()
                let fraction = rest.prefix { ("0"..."9").contains($0) }
                guard !fraction.isEmpty else { return false }
                rest.removeFirst(fraction.count)
            }
        }
        let zone = String(String.UnicodeScalarView(rest)).trimmingSpaces
        if zone.isEmpty || zone == "Z" || zone == "z" || zone.uppercased() == "UTC" { return true }
        rest = Array(zone.unicodeScalars)
        guard rest.first == "+" || rest.first == "-" else { return false }
        rest.removeFirst()
        guard number(2, max: 15) else { return false }
        if rest.first == ":" { rest.removeFirst() }
        if rest.isEmpty { return true }
        return number(2, max: 59) && rest.isEmpty
    }

    /// 32 hex digits, optionally in braces, with hyphens between groups of four.
    private static func isUUID(_ value: String) -> Bool {
        var text = Substring(value)
        if text.first == "{" && text.last == "}" { text = text.dropFirst().dropLast() }
        var digits = 0
        var lastWasHyphen = true
        for character in text {
            if character == "-" {
                guard !lastWasHyphen, digits % 4 == 0 else { return false }
                lastWasHyphen = true
            } else if character.isHexDigit {
                digits += 1
                lastWasHyphen = false
            } else {
                return false
            }
        }
        return digits == 32 && !lastWasHyphen
    }
}
