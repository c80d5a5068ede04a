/// How names and values appear inside diagnostic messages: quoted, on one line, and short, whatever a
/// hostile repository puts in them.
public enum MessageText {
    /// The longest value shown in full; longer ones are cut and end in `…`.
    static let maximumLength = 80

    /// `'value'`, with control characters escaped and long values cut.
    public static func quoted(_ value: String) -> String {
        var out = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == maximumLength {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return "'" + out + "'"
    }

    /// `a, b and c`.
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }
}
