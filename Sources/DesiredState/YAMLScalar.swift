/// Writes one value for a block-style YAML file so the loader reads back exactly the same text:
/// plain when that is unambiguous, double-quoted otherwise.
enum YAMLScalar {
    /// Words YAML reads as null, or that people read as booleans: always quoted.
    static let ambiguousWords: Set<String> = [
        "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No",
        "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ]

    /// `value` as a YAML scalar.
    static func render(_ value: String) -> String {
        isPlainSafe(value) ? value : doubleQuoted(value)
    }

    /// `value` as an item of a flow list (`[a, b]`), where a comma would end it.
    static func renderInFlow(_ value: String) -> String {
        isPlainSafe(value) && !value.contains(",") ? value : doubleQuoted(value)
    }

    /// Whether `value` can be written without quotes and read back as the same text: letters, digits and
    /// `_ . , ( ) + - /` with inner spaces; no indicator at the start, no `: ` or ` #`.
    static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
              !ambiguousWords.contains(value), last != " "
        else { return false }
        let isAlphanumeric = { (scalar: Unicode.Scalar) in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard isAlphanumeric(first) || first == "_" || (first == "-" && value.unicodeScalars.count > 1 && value.unicodeScalars.dropFirst().first.map(isAlphanumeric) == true)
        else { return false }
        let allowed: Set<Unicode.Scalar> = ["_", ".", ",", "(", ")", "+", "-", "/", " "]
        guard value.unicodeScalars.allSatisfy({ isAlphanumeric($0) || allowed.contains($0) }) else { return false }
        return !value.contains("  ")
    }

    /// `"…"` with `\`, `"` and control characters escaped.
    static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xfeff {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
