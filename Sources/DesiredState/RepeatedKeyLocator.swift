/// Finds the second occurrence of a key Yams reported as repeated, so the diagnostic points at the copy
/// rather than the original, and renames it so the rest of the file can still be read.
///
/// Yams reports only the first occurrence's mark. The copy is the next occurrence of the key that
/// belongs to the same mapping: on the same line (flow style), or at the same column of a later line
/// before the mapping ends (block style).
enum RepeatedKeyLocator {
    /// The position (1-based, in Unicode scalars) of the repeated key, or `nil` when it cannot be found.
    static func locate(key: String, firstAt first: SourcePosition, in yaml: String) -> SourcePosition? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard first.line <= lines.count else { return nil }
        let keyScalars = Array(key.unicodeScalars)
        let firstLine = lines[first.line - 1]

        // Flow style: later on the same line.
        if let column = nextKey(keyScalars, in: firstLine, from: first.column - 1 + 1) {
            return SourcePosition(line: first.line, column: column + 1)
        }
        // Block style: the same column of a later line, until a line starts left of it.
        let keyColumn = first.column - 1
        for lineIndex in first.line..<lines.count {
            let line = lines[lineIndex]
            guard let contentStart = line.firstIndex(where: { $0 != " " }), line[contentStart] != "#" else { continue }
            if contentStart < keyColumn {
                // "- key:" of the next list item, or a key of an outer mapping: the mapping has ended.
                break
            }
            if contentStart == keyColumn, startsKey(keyScalars, in: line, at: keyColumn) {
                return SourcePosition(line: lineIndex + 1, column: keyColumn + 1)
            }
        }
        // Anything else (a flow mapping over several lines): the next occurrence after the first.
        for lineIndex in first.line..<lines.count {
            if let column = nextKey(keyScalars, in: lines[lineIndex], from: 0) {
                return SourcePosition(line: lineIndex + 1, column: column + 1)
            }
        }
        return nil
    }

    /// `yaml` with the key at `position` replaced by a name of the same length no file uses, so line and
    /// column numbers stay right.
    static func renaming(keyOfLength length: Int, at position: SourcePosition, in yaml: String, serial: Int) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard position.line <= lines.count else { return yaml }
        var line = lines[position.line - 1]
        var start = position.column - 1
        if start < line.count, line[start] == "\"" || line[start] == "'" { start += 1 }
        let digits = Array(String(serial).unicodeScalars)
        var replacement = Array(repeating: Unicode.Scalar("§"), count: max(1, length))
        if digits.count < replacement.count {
            replacement.replaceSubrange((replacement.count - digits.count)..., with: digits)
        }
        guard start + length <= line.count else { return yaml }
        line.replaceSubrange(start..<(start + length), with: replacement)
        lines[position.line - 1] = line
        var out = String.UnicodeScalarView()
        for (index, scalars) in lines.enumerated() {
            if index > 0 { out.append("\n") }
            out.append(contentsOf: scalars)
        }
        return String(out)
    }

    /// The index of the next occurrence of `key` used as a key (followed by `:`) at or after `start`.
    private static func nextKey(_ key: [Unicode.Scalar], in line: [Unicode.Scalar], from start: Int) -> Int? {
        var index = max(0, start)
        while index < line.count {
            let boundary = index == 0 || [" ", "{", ",", "\t"].contains(line[index - 1])
            if boundary, startsKey(key, in: line, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `line` holds `key` (optionally quoted) at `index`, followed by optional spaces and `:`.
    private static func startsKey(_ key: [Unicode.Scalar], in line: [Unicode.Scalar], at index: Int) -> Bool {
        var cursor = index
        var quote: Unicode.Scalar?
        if cursor < line.count, line[cursor] == "\"" || line[cursor] == "'" {
            quote = line[cursor]
            cursor += 1
        }
        guard cursor + key.count <= line.count, Array(line[cursor..<(cursor + key.count)]) == key else { return false }
        cursor += key.count
        if let quote {
            guard cursor < line.count, line[cursor] == quote else { return false }
            cursor += 1
        }
        while cursor < line.count, line[cursor] == " " { cursor += 1 }
        return cursor < line.count && line[cursor] == ":"
    }
}
