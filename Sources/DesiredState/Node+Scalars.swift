import Yams

extension Node {
    /// Where the node starts.
    var position: SourcePosition { SourcePosition(mark) }

    /// The text of a scalar, whatever it would resolve to (`0`, `true` and `UNKNOWN` are all text here);
    /// `nil` for a mapping or a list.
    var scalarText: String? {
        if case .scalar(let scalar) = self { return scalar.string }
        return nil
    }

    /// Whether the node is YAML's null: an empty plain value, `~` or `null`. Quoted values never are.
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What the node is, for messages: "a mapping", "a list" or "a single value".
    var shapeName: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar, .alias: "a single value"
        }
    }

    /// The position of the character at `offset` (in Unicode scalars) inside a one-line scalar, so a
    /// diagnostic can point at the bad field of a cron schedule. Falls back to the node's start where
    /// the written text and the value differ (escapes, folded or multi-line scalars).
    func position(ofOffset offset: Int) -> SourcePosition {
        guard case .scalar(let scalar) = self, !scalar.string.contains("\n") else { return position }
        switch scalar.style {
        case .plain, .any:
            return position.advanced(by: offset)
        case .singleQuoted where !scalar.string.contains("'"):
            return position.advanced(by: offset + 1)
        case .doubleQuoted where !scalar.string.contains("\\") && !scalar.string.contains("\""):
            return position.advanced(by: offset + 1)
        default:
            return position
        }
    }
}
