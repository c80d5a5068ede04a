import Yams

/// Reads one YAML mapping of the schema repository: its keys, checked against the keys the format
/// allows, and its values, each checked for shape with a diagnostic at its own line and column.
struct MappingReader {
    /// A value with the position it was read from.
    struct Located<Value> {
        var value: Value
        var node: Node
        var position: SourcePosition { node.position }
    }

    /// Repository-relative path of the file, for diagnostics.
    let file: String
    /// What the mapping is, as messages name it: "warehouse.yaml", "column 'id' of template 'foodlogstats'".
    var subject: String
    /// The mapping itself.
    let node: Node
    private let entries: [(key: String, keyNode: Node, value: Node)]

    /// A reader for `node`, or `nil` (after an error) when it is not a mapping.
    init?(_ node: Node, file: String, subject: String, hiddenKeys: Set<SourcePosition>, diagnostics: inout DiagnosticList) {
        guard case .mapping(let mapping) = node else {
            diagnostics.error("\(subject) must be a mapping of keys to values, not \(node.shapeName); write it as key: value lines",
                              file: file, at: node)
            return nil
        }
        self.file = file
        self.subject = subject
        self.node = node
        self.entries = mapping.compactMap { pair in
            if hiddenKeys.contains(pair.key.position) { return nil }
            return (key: pair.key.scalarText ?? "", keyNode: pair.key, value: pair.value)
        }
    }

    /// Whether a list read from this mapping has at most `maximum` entries; when not, one error:
    /// "template 'x' declares N <what>, so declare at most M".
    func within(_ maximum: Int, _ items: Located<[Node]>, _ what: String, diagnostics: inout DiagnosticList) -> Bool {
        guard items.value.count > maximum else { return true }
        diagnostics.error("\(subject) declares \(items.value.count) \(what), so declare at most \(maximum)", file: file, at: items.node)
        return false
    }

    /// Reports every key that is not in `allowed`, suggesting the closest allowed key.
    func rejectUnknownKeys(allowed: [String], diagnostics: inout DiagnosticList) {
        for entry in entries where !allowed.contains(entry.key) {
            let shown = entry.keyNode.scalarText.map(MessageText.quoted) ?? "(\(entry.keyNode.shapeName))"
            if let suggestion = NameSuggestion.closest(to: entry.key, among: allowed) {
                diagnostics.error("unknown key \(shown) in \(subject); did you mean '\(suggestion)'?",
                                  file: file, at: entry.keyNode)
            } else {
                diagnostics.error("unknown key \(shown) in \(subject); remove it (allowed keys: \(allowed.joined(separator: ", ")))",
                                  file: file, at: entry.keyNode)
            }
        }
    }

    /// The value of `key` as written, null or not; `nil` when the key is absent.
    func value(_ key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    /// The key node of `key`, for diagnostics about the key itself.
    func keyNode(_ key: String) -> Node? {
        entries.first { $0.key == key }?.keyNode
    }

    /// The value of `key` unless it is absent or null; reports a required key that is missing.
    func present(_ key: String, required example: String?, diagnostics: inout DiagnosticList) -> Node? {
        guard let value = value(key) else {
            if let example {
                diagnostics.error("\(subject) is missing the required key '\(key)'; add it, e.g. \(example)",
                                  file: file, at: node)
            }
            return nil
        }
        if value.isNull {
            if let example {
                diagnostics.error("'\(key)' of \(subject) has no value; give it one, e.g. \(example)", file: file, at: value)
            }
            return nil
        }
        return value
    }

    /// A text value (any scalar: `2024` and `true` are text here too).
    func string(_ key: String, required example: String? = nil, diagnostics: inout DiagnosticList) -> Located<String>? {
        guard let value = present(key, required: example, diagnostics: &diagnostics) else { return nil }
        guard let text = value.scalarText else {
            diagnostics.error("'\(key)' of \(subject) must be a single value, not \(value.shapeName)", file: file, at: value)
            return nil
        }
        return Located(value: text, node: value)
    }

    /// A whole number.
    func int(_ key: String, required example: String? = nil, diagnostics: inout DiagnosticList) -> Located<Int>? {
        guard let text = string(key, required: example, diagnostics: &diagnostics) else { return nil }
        guard let number = Int(text.value) else {
            diagnostics.error("'\(key)' of \(subject) must be a whole number, not \(MessageText.quoted(text.value))",
                              file: file, at: text.node)
            return nil
        }
        return Located(value: number, node: text.node)
    }

    /// `true` or `false` (YAML 1.1's `yes`, `no`, `on` and `off` are refused: they surprise people).
    func bool(_ key: String, diagnostics: inout DiagnosticList) -> Bool? {
        guard let text = string(key, diagnostics: &diagnostics) else { return nil }
        switch text.value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            diagnostics.error("'\(key)' of \(subject) must be true or false, not \(MessageText.quoted(text.value))",
                              file: file, at: text.node)
            return nil
        }
    }

    /// A list; reports a value of another shape.
    func sequence(_ key: String, required example: String? = nil, diagnostics: inout DiagnosticList) -> Located<[Node]>? {
        guard let value = present(key, required: example, diagnostics: &diagnostics) else { return nil }
        guard case .sequence(let sequence) = value else {
            diagnostics.error("'\(key)' of \(subject) must be a list (lines starting with '- '), not \(value.shapeName)",
                              file: file, at: value)
            return nil
        }
        return Located(value: Array(sequence), node: value)
    }
}
