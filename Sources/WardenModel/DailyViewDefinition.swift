/// What a daily view's stored definition says: the dblink connection, the query sent to the tenant's
/// database, and the `AS t(...)` column list.
///
/// Read from `pg_get_viewdef` text, where `SELECT * FROM dblink('landb-prod', $q$…$q$) AS t(id bigint, …)`
/// comes back as `… FROM dblink('landb-prod'::text, '…'::text) t(id bigint, …)`.
public struct DailyViewDefinition: Sendable, Hashable {
    public var connection: String
    public var query: String
    public var columns: [(name: String, type: String)]

    public init(connection: String, query: String, columns: [(name: String, type: String)]) {
        self.connection = connection
        self.query = query
        self.columns = columns
    }

    public static func == (lhs: DailyViewDefinition, rhs: DailyViewDefinition) -> Bool {
        lhs.connection == rhs.connection && lhs.query == rhs.query
            && lhs.columns.map(\.name) == rhs.columns.map(\.name) && lhs.columns.map(\.type) == rhs.columns.map(\.type)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(connection)
        hasher.combine(query)
        for column in columns {
            hasher.combine(column.name)
            hasher.combine(column.type)
        }
    }

    /// Parses a deparsed definition; `nil` if it is not a dblink daily view.
    public init?(definition: String) {
        let scalars = Array(definition.unicodeScalars)
        guard let start = DailyViewDefinition.find(Array("dblink(".unicodeScalars), in: scalars) else { return nil }
        var index = start + 7
        func skipSpaces() { while index < scalars.count, scalars[index] == " " || scalars[index] == "\n" { index += 1 } }
        func literal() -> String? {
            skipSpaces()
            if index < scalars.count, scalars[index] == "E" { index += 1 }
            guard index < scalars.count, scalars[index] == "'" else { return nil }
            index += 1
            var out = String.UnicodeScalarView()
            while index < scalars.count {
                if scalars[index] == "'" {
                    if index + 1 < scalars.count, scalars[index + 1] == "'" {
                        out.append("'")
                        index += 2
                        continue
                    }
                    index += 1
                    // Optional cast: ::text
                    if index + 6 <= scalars.count, String(String.UnicodeScalarView(scalars[index..<(index + 6)])) == "::text" {
                        index += 6
                    }
                    return String(out)
                }
                out.append(scalars[index])
                index += 1
            }
            return nil
        }
        guard let connection = literal() else { return nil }
        skipSpaces()
        guard index < scalars.count, scalars[index] == "," else { return nil }
        index += 1
        guard let query = literal() else { return nil }
        skipSpaces()
        guard index < scalars.count, scalars[index] == ")" else { return nil }
        index += 1
        skipSpaces()
        if index + 2 < scalars.count, scalars[index] == "A" || scalars[index] == "a",
           scalars[index + 1] == "S" || scalars[index + 1] == "s", scalars[index + 2] == " " {
            index += 3
        }
        // Alias name, then the column definition list.
        while index < scalars.count, scalars[index] != "(" && scalars[index] != ";" { index += 1 }
        guard index < scalars.count, scalars[index] == "(" else { return nil }
        index += 1
        var depth = 0
        var current = String.UnicodeScalarView()
        var items: [String] = []
        var inQuotes = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" { inQuotes.toggle() }
            if !inQuotes {
                if scalar == "(" { depth += 1 }
                if scalar == ")" {
                    if depth == 0 { break }
                    depth -= 1
                }
                if scalar == "," && depth == 0 {
                    items.append(String(current))
                    current = String.UnicodeScalarView()
                    index += 1
                    continue
                }
            }
            current.append(scalar)
            index += 1
        }
        guard index < scalars.count else { return nil }
        items.append(String(current))
        var columns: [(name: String, type: String)] = []
        for item in items {
            let trimmed = item.trimmingSpaces
            guard let split = DailyViewDefinition.splitNameAndType(trimmed) else { return nil }
            columns.append(split)
        }
        self.init(connection: connection, query: query, columns: columns)
    }

    /// `"we""ird" text` → (`we"ird`, `text`); `id bigint` → (`id`, `bigint`).
    static func splitNameAndType(_ item: String) -> (name: String, type: String)? {
        if item.hasPrefix("\"") {
            var name = ""
            var iterator = item.dropFirst().makeIterator()
            var consumed = 1
            while let character = iterator.next() {
                consumed += 1
                if character == "\"" {
                    if let next = iterator.next() {
                        consumed += 1
                        if next == "\"" {
                            name.append("\"")
                            continue
                        }
                    }
                    break
                }
                name.append(character)
            }
            let type = String(item.dropFirst(consumed - 1)).trimmingSpaces
            return type.isEmpty ? nil : (name, type)
        }
        guard let space = item.firstIndex(of: " ") else { return nil }
        return (String(item[..<space]), String(item[item.index(after: space)...]).trimmingSpaces)
    }

    static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\n" || first == "\t" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\n" || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
