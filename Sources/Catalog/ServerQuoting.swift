/// Identifier and literal quoting exactly as the server's deparser (`ruleutils.c`) does it, so text the
/// reader renders itself is the text `pg_get_viewdef` and `pg_get_indexdef` would have printed.
///
/// `quote_identifier` leaves a name bare when it is lower-case ASCII letters, digits and underscores,
/// does not start with a digit, and is not a keyword of any category but "unreserved"; the keyword
/// list comes from the server itself (`pg_get_keywords()`), so it is right for its version.
struct ServerQuoting: Sendable, Hashable {
    /// Keywords that force quoting (every category except unreserved).
    var keywords: Set<String>
    /// `quote_all_identifiers`.
    var quoteAllIdentifiers: Bool
    /// `standard_conforming_strings`: when off, the deparser doubles backslashes in literals too.
    var standardConformingStrings: Bool

    /// `quote_identifier(name)`.
    func identifier(_ name: String) -> String {
        var safe = !quoteAllIdentifiers
        if safe {
            var first = true
            for byte in name.utf8 {
                let lower = byte >= 97 && byte <= 122
                let digit = byte >= 48 && byte <= 57
                if first {
                    safe = lower || byte == 95
                    first = false
                } else if !(lower || digit || byte == 95) {
                    safe = false
                }
                if !safe { break }
            }
            if first { safe = false }
        }
        if safe && keywords.contains(name) { safe = false }
        if safe { return name }
        var out = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" { out.append("\"") }
            out.unicodeScalars.append(scalar)
        }
        out.append("\"")
        return out
    }

    /// `quote_qualified_identifier(schema, name)`.
    func qualified(_ schema: String, _ name: String) -> String {
        identifier(schema) + "." + identifier(name)
    }

    /// `simple_quote_literal(value)`: single quotes doubled (and backslashes, when
    /// `standard_conforming_strings` is off), never an `E''` string.
    func literal(_ value: String) -> String {
        let quote = UInt8(ascii: "'")
        let backslash = UInt8(ascii: "\\")
        let doubles = { (byte: UInt8) in byte == quote || (byte == backslash && !standardConformingStrings) }
        var count = 0
        for byte in value.utf8 where doubles(byte) { count += 1 }
        if count == 0 { return "'" + value + "'" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + count + 2)
        bytes.append(quote)
        for byte in value.utf8 {
            if doubles(byte) { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }
}
