import Foundation

/// Parsing of one-dimensional PostgreSQL array literals in text form: `{a,"b c","d\"e",NULL}`.
enum PostgresArrayLiteral {
    /// The elements, `nil` for an unquoted `NULL`; `nil` overall if the text is not an array literal.
    static func parse(_ text: String) -> [String?]? {
        var scalars = Substring(text).unicodeScalars[...]
        // Arrays with explicit bounds print as `[0:1]={…}`.
        if scalars.first == "[", let equals = scalars.firstIndex(of: "=") {
            scalars = scalars[scalars.index(after: equals)...]
        }
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        var elements: [String?] = []
        if scalars.isEmpty { return elements }
        var iterator = scalars.makeIterator()
        var current = String.UnicodeScalarView()
        var quoted = false
        var wasQuoted = false
        while let scalar = iterator.next() {
            if quoted {
                switch scalar {
                case "\\": if let next = iterator.next() { current.append(next) }
                case "\"": quoted = false
                default: current.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                quoted = true
                wasQuoted = true
            case ",":
                elements.append(finish(current, wasQuoted))
                current = String.UnicodeScalarView()
                wasQuoted = false
            case "\\":
                if let next = iterator.next() { current.append(next) }
            default:
                current.append(scalar)
            }
        }
        elements.append(finish(current, wasQuoted))
        return elements
    }

    private static func finish(_ scalars: String.UnicodeScalarView, _ wasQuoted: Bool) -> String? {
        let text = String(scalars)
        if !wasQuoted && text == "NULL" { return nil }
        return wasQuoted ? text : text.trimmingCharacters(in: .whitespaces)
    }

    /// Writes an array literal for a text array parameter: every element quoted and escaped.
    static func render(_ elements: [String?]) -> String {
        let parts = elements.map { element -> String in
            guard let element else { return "NULL" }
            var out = "\""
            for scalar in element.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { out.append("\\") }
                out.unicodeScalars.append(scalar)
            }
            return out + "\""
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
