/// Text for people's terminals and pull requests: control characters (an ESC that starts a terminal
/// sequence, a carriage return that overwrites a line, a backspace) are shown as `\u{1B}`, never sent
/// raw, so a name or description cannot erase, hide or rewrite the lines around it. Line feeds and
/// tabs stay.
public enum TerminalText {
    /// `text` with every control character but `\n` and `\t` written as `\u{XX}`.
    public static func neutralized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 controls but line feed and tab, DEL, C1 controls, and the bidirectional overrides that reorder
    /// what a reader sees (U+202A…U+202E, U+2066…U+2069).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
