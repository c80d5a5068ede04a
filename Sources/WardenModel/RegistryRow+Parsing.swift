extension RegistryRow {
    /// `column_definitions` read as names and types (`id BIGINT, store TEXT` → `id bigint`, `store text`).
    /// A type warden cannot normalize offline is kept in lower case.
    public var parsedColumns: [(name: String, type: String)] {
        RegistryRow.splitTopLevel(columnDefinitions, separator: ",").compactMap { item in
            let trimmed = item.trimmingSpaces
            guard !trimmed.isEmpty, !trimmed.hasPrefix("--") else { return nil }
            guard let pair = DailyViewDefinition.splitNameAndType(trimmed) else { return nil }
            let name = pair.name.hasPrefix("\"") ? pair.name : pair.name.lowercased()
            let type = ColumnType(pair.type)?.name ?? pair.type.lowercased()
            return (name, type)
        }
    }

    /// `indexes` read as specs: each `CREATE [UNIQUE] INDEX … ON … (a, b)` line.
    public var parsedIndexes: [IndexSpec] {
        guard let indexes else { return [] }
        return RegistryRow.splitTopLevel(indexes, separator: ";").compactMap { statement in
            let text = statement.trimmingSpaces
            let upper = text.uppercased()
            guard upper.hasPrefix("CREATE"), upper.contains("INDEX"),
                  let open = text.lastIndex(of: "("), let close = text.lastIndex(of: ")"), open < close
            else { return nil }
            let columns = text[text.index(after: open)..<close].split(separator: ",").map {
                String($0).trimmingSpaces.replacing("\"", with: "")
            }
            return IndexSpec(columns: columns, unique: upper.hasPrefix("CREATE UNIQUE"))
        }
    }

    /// Splits at `separator` outside parentheses and quotes.
    static func splitTopLevel(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if character == separator && depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
