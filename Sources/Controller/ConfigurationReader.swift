import DesiredState
import Yams

/// Walks the YAML nodes of a controller configuration, collecting every problem with its line, column
/// and key path. Codable would ignore unknown keys and lose every position, so the nodes are read by hand.
struct ConfigurationReader {
    /// One key of a mapping with its nodes.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    let file: String
    private(set) var problems: [ConfigurationError.Problem] = []

    init(file: String) { self.file = file }

    /// Records a problem at `node` (the file's start when `nil`).
    mutating func problem(_ message: String, key: String, at node: Node?) {
        problems.append(ConfigurationError.Problem(
            file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, key: key, message: message))
    }

    /// The entries of a mapping, after rejecting keys not in `allowed` (with a did-you-mean); `nil` after a
    /// problem when `node` is not a mapping.
    mutating func mapping(_ node: Node, path: String, allowed: [String]) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            problem("\(path.isEmpty ? "the file" : path) must be a mapping of keys to values, not \(Self.shape(node)); "
                + "write it as indented key: value lines", key: path, at: node)
            return nil
        }
        var entries: [Entry] = []
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let full = Self.join(path, key)
            guard allowed.contains(key) else {
                let shown = MessageText.quoted(key)
                let place = path.isEmpty ? "at the top level" : "in \(path)"
                if let suggestion = NameSuggestion.closest(to: key, among: allowed) {
                    problem("unknown key \(shown) \(place); did you mean '\(suggestion)'?", key: full, at: keyNode)
                } else {
                    problem("unknown key \(shown) \(place); remove it (allowed keys: \(allowed.joined(separator: ", ")))",
                            key: full, at: keyNode)
                }
                continue
            }
            entries.append(Entry(key: key, keyNode: keyNode, value: value))
        }
        return entries
    }

    /// A non-null value of `key`, or `nil` when absent or null (written `key:` or `key: null`).
    func value(_ key: String, in entries: [Entry]) -> Entry? {
        guard let entry = entries.first(where: { $0.key == key }), !Self.isNull(entry.value) else { return nil }
        return entry
    }

    /// A single text value; `nil` after a problem when the value is a mapping or a list.
    mutating func string(_ entry: Entry, path: String) -> String? {
        guard case .scalar(let scalar) = entry.value else {
            problem("\(path) must be a single value, not \(Self.shape(entry.value))", key: path, at: entry.value)
            return nil
        }
        return scalar.string
    }

    /// A positive duration such as `30s`, `5m`, `1h` or `1h30m`, at least `minimum`.
    mutating func duration(_ entry: Entry, path: String, example: String, minimum: Duration = .seconds(1)) -> Duration? {
        guard let text = string(entry, path: path) else { return nil }
        let shown = MessageText.quoted(text)
        switch DurationText.milliseconds(text) {
        case .failure(let reason):
            let why = switch reason {
            case .missingUnit: "needs a unit"
            case .unknownUnit(let unit): "has the unknown unit \(MessageText.quoted(unit))"
            case .tooLong: "is too long"
            case .empty, .malformed: "is not a duration"
            }
            problem("\(path) \(shown) \(why); write a duration such as \(example) (units ms, s, m, h and d, as in 1h30m)",
                    key: path, at: entry.value)
            return nil
        case .success(let milliseconds):
            let duration = Duration.milliseconds(milliseconds)
            guard duration >= minimum else {
                problem("\(path) \(shown) is shorter than \(ControllerConfiguration.render(minimum)); "
                    + "give it a length such as \(example)", key: path, at: entry.value)
                return nil
            }
            return duration
        }
    }

    /// One of a fixed set of words, with a did-you-mean.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ entry: Entry, path: String, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let text = string(entry, path: path) else { return nil }
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue)
        let hint = NameSuggestion.closest(to: text, among: allowed).map { "did you mean '\($0)'?" }
            ?? "use one of \(allowed.joined(separator: ", "))"
        problem("\(path) \(MessageText.quoted(text)) is not one of \(allowed.joined(separator: ", ")); \(hint)",
                key: path, at: entry.value)
        return nil
    }

    /// A whole number in `range`.
    mutating func integer(_ entry: Entry, path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(entry, path: path) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            problem("\(path) \(MessageText.quoted(text)) is not a whole number from \(range.lowerBound) to \(range.upperBound); "
                + "write one such as \(range.lowerBound + (range.upperBound - range.lowerBound) / 4)", key: path, at: entry.value)
            return nil
        }
        return number
    }

    /// The items of a list; `nil` after a problem when the value is not a list.
    mutating func list(_ entry: Entry, path: String, example: String) -> [Node]? {
        guard case .sequence(let sequence) = entry.value else {
            problem("\(path) must be a list, not \(Self.shape(entry.value)); write it as \(example)", key: path, at: entry.value)
            return nil
        }
        return Array(sequence)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// YAML's null: an empty plain value, `~` or `null`. Quoted values never are.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func shape(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar, .alias: "a single value"
        }
    }
}
