/// libpq's and the server's message text as one readable line.
///
/// libpq writes messages for a terminal: a second line indented with a tab (`…failed: Connection
/// refused\n\tIs the server running…?`), `FATAL:  ` with two spaces, a trailing newline, and a final
/// period that warden's own sentence then doubles. Messages warden shows are one line each.
public enum LibpqText {
    /// `text` on one line: lines joined with `; ` (a space after a line that already ends a sentence),
    /// runs of spaces and tabs made one space, and a doubled period (not an ellipsis) made one.
    public static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline)
            .map { collapseSpaces(String($0)) }
            .filter { !$0.isEmpty }
        var joined = ""
        for line in lines {
            if let last = joined.last {
                joined += ".;:?!".contains(last) ? " " : "; "
            }
            joined += line
        }
        return collapsePeriods(joined)
    }

    /// Runs of spaces and tabs as one space, trimmed.
    private static func collapseSpaces(_ line: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in line {
            if character == " " || character == "\t" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }

    /// `..` as `.`; three or more periods (an ellipsis) are left alone.
    private static func collapsePeriods(_ text: String) -> String {
        var out = ""
        var run = 0
        func flush() {
            out += run == 2 ? "." : String(repeating: ".", count: run)
            run = 0
        }
        for character in text {
            if character == "." {
                run += 1
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}
