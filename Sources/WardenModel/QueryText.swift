/// How query texts are compared: modulo trailing whitespace (at the end of every line and of the text),
/// so an editor that strips trailing spaces or adds a final newline causes no drift.
public enum QueryText {
    public static func normalized(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var line = line
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line.removeLast() }
            return line
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
