/// How query texts are compared: modulo trailing whitespace (at the end of every line and of the text)
/// and line endings, so an editor that strips trailing spaces, adds a final newline or saves with CRLF
/// causes no drift.
public enum QueryText {
    public static func normalized(_ text: String) -> String {
        // "\r\n" is one Character in Swift: splitting on "\n" alone leaves a CRLF text one long line.
        let separated = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        var lines = separated.map { line -> Substring in
            var line = line
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line.removeLast() }
            return line
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
