/// What a daily view's stored definition says: the dblink connection, the query sent to the tenant's
/// database, and the `AS t(...)` column list.
///
/// Read from `pg_get_viewdef` text, where `SELECT * FROM dblink('landb-prod', $q$…$q$) AS t(id bigint, …)`
/// comes back as `… FROM dblink('landb-prod'::text, '…'::text) t(id bigint, …)`. Parsed on UTF-8 bytes
/// (every delimiter is ASCII), since drift parses one definition per daily view.
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
        var parser = Parser(bytes: Array(definition.utf8))
        guard let parsed = parser.parse() else { return nil }
        self = parsed
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        static let quote = UInt8(ascii: "'")
        static let doubleQuote = UInt8(ascii: "\"")

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == 32 || bytes[index] == 10 || bytes[index] == 9 || bytes[index] == 13 {
                index += 1
            }
        }

        func startsWith(_ text: StaticString, at position: Int) -> Bool {
            let count = text.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            return text.withUTF8Buffer { needle in
                for offset in 0..<count where bytes[position + offset] != needle[offset] { return false }
                return true
            }
        }

        /// A string literal `'…'` (or `E'…'`) with `''` escapes, then an optional `::text`.
        mutating func literal() -> String? {
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: "E") { index += 1 }
            guard index < bytes.count, bytes[index] == Self.quote else { return nil }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.quote {
                    if index + 1 < bytes.count, bytes[index + 1] == Self.quote {
                        out.append(Self.quote)
                        index += 2
                        continue
                    }
                    index += 1
                    if startsWith("::text", at: index) { index += 6 }
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(byte)
                index += 1
            }
            return nil
        }

        mutating func parse() -> DailyViewDefinition? {
            // Find "dblink(".
            var found: Int?
            var position = 0
            while position + 7 <= bytes.count {
                if bytes[position] == UInt8(ascii: "d") && startsWith("dblink(", at: position) {
                    found = position
                    break
                }
                position += 1
            }
            guard let start = found else { return nil }
            index = start + 7
            guard let connection = literal() else { return nil }
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
            guard let query = literal() else { return nil }
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
            index += 1
            // Optional AS, the alias, then the column definition list.
            while index < bytes.count, bytes[index] != UInt8(ascii: "("), bytes[index] != UInt8(ascii: ";") { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "(") else { return nil }
            index += 1
            var depth = 0
            var inQuotes = false
            var itemStart = index
            var items: [ArraySlice<UInt8>] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.doubleQuote { inQuotes.toggle() }
                if !inQuotes {
                    if byte == UInt8(ascii: "(") { depth += 1 }
                    if byte == UInt8(ascii: ")") {
                        if depth == 0 { break }
                        depth -= 1
                    }
                    if byte == UInt8(ascii: ","), depth == 0 {
                        items.append(bytes[itemStart..<index])
                        itemStart = index + 1
                    }
                }
                index += 1
            }
            guard index < bytes.count else { return nil }
            items.append(bytes[itemStart..<index])
            var columns: [(name: String, type: String)] = []
            columns.reserveCapacity(items.count)
            for item in items {
                guard let split = DailyViewDefinition.splitNameAndType(String(decoding: item, as: UTF8.self).trimmingSpaces) else {
                    return nil
                }
                columns.append(split)
            }
            return DailyViewDefinition(connection: connection, query: query, columns: columns)
        }
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
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 10 || byte == 9 || byte == 13 }
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        if start == utf8.startIndex && end == utf8.endIndex { return self }
        return String(self[start..<end])
    }
}
