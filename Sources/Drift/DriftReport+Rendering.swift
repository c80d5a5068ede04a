import Foundation
import WardenModel

extension DriftItem {
    enum CodingKeys: String, CodingKey { case kind, template, tenant, object, expected, found, remedy, fix }

    /// Every key is always present (`null` when empty), so consumers need no defaults.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(template, forKey: .template)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(object, forKey: .object)
        try container.encode(expected, forKey: .expected)
        try container.encode(found, forKey: .found)
        try container.encode(remedy, forKey: .remedy)
        try container.encode(fix, forKey: .fix)
    }
}

extension DriftReport {
    enum CodingKeys: String, CodingKey { case version, revision, asOf, items, preparedShadows }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        asOf = try container.decode(Day.self, forKey: .asOf)
        items = try container.decode([DriftItem].self, forKey: .items)
        preparedShadows = try container.decodeIfPresent(Int.self, forKey: .preparedShadows) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(revision, forKey: .revision)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(items, forKey: .items)
        try container.encode(preparedShadows, forKey: .preparedShadows)
    }

    /// The stable machine format: `{"version": 1, "revision", "asOf", "items": [...], "preparedShadows"}`.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A table for people: one line per item, grouped by template.
    public func table() -> String { TerminalText.neutralized(rawTable()) }

    private func rawTable() -> String {
        let header = "drift as of \(asOf)" + (revision.map { " at \(String($0.prefix(12)))" } ?? "")
        let progress = preparedShadows == 0 ? [] : [preparedLine]
        guard !items.isEmpty else { return ([header + ": in sync"] + progress).joined(separator: "\n") + "\n" }
        var lines = [header + ": \(items.count) item\(items.count == 1 ? "" : "s")"] + progress + [""]
        let rows = items.map { [$0.kind.rawValue, $0.template ?? "-", $0.tenant ?? "-", $0.object] }
        let titles = ["KIND", "TEMPLATE", "TENANT", "OBJECT", "FOUND"]
        var widths = titles.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = min(max(widths[index], cell.count), DriftReport.columnWidth) }
        }
        let indent = String(repeating: " ", count: widths[0] + 2)
        // A cell is never cut: one wider than its column is printed whole, and its row's FOUND moves
        // to a line of its own below.
        func render(_ cells: [String], found: String) -> [String] {
            let fits = cells.enumerated().allSatisfy { $0.element.count <= widths[$0.offset] }
            let padded = cells.enumerated().map { DriftReport.pad($0.element, widths[$0.offset]) }.joined(separator: "  ")
            return fits ? [padded + "  " + found] : [padded.trimmingSuffix(), indent + "found:    " + found]
        }
        lines += render(Array(titles.prefix(4)), found: titles[4])
        for (row, item) in zip(rows, items) {
            lines += render(row, found: item.found)
            lines.append(indent + "expected: \(item.expected)")
            lines.append(indent + "remedy:   \(item.remedy)")
            if let fix = item.fix { lines.append(indent + "fixed:    \(fix.text)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The line about shadows the pending plan reuses (``preparedShadows``).
    var preparedLine: String {
        "progress: \(preparedShadows) shadow\(preparedShadows == 1 ? "" : "s") built by an earlier apply wait for the plan's swap (not drift)"
    }

    /// The widest a table column grows before its longer cells spill over.
    static let columnWidth = 60

    /// Markdown for a pull-request comment.
    public func markdown() -> String { TerminalText.neutralized(rawMarkdown()) }

    private func rawMarkdown() -> String {
        var out = "### warden drift as of \(asOf)" + (revision.map { " (`\(String($0.prefix(12)))`)" } ?? "") + "\n\n"
        let progress = preparedShadows == 0 ? "" : "_\(preparedLine.prefix(1).uppercased() + preparedLine.dropFirst())._\n\n"
        guard !items.isEmpty else { return out + "✅ In sync: the warehouse matches the desired state.\n" + (progress.isEmpty ? "" : "\n" + progress) }
        out += "\(items.count) item\(items.count == 1 ? "" : "s") of drift.\n\n" + progress
        out += "| kind | template | tenant | object | expected | found | remedy | fixed |\n"
        out += "|---|---|---|---|---|---|---|---|\n"
        for item in items {
            let cells = [item.kind.rawValue, item.template ?? "", item.tenant ?? "", item.object, item.expected, item.found, item.remedy,
                         item.fix?.text ?? ""]
            out += "| " + cells.map(DriftReport.escapeMarkdown).joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func escapeMarkdown(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ").replacing("`", with: "'")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        // Never cuts: a longer text is returned whole.
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    /// The text without trailing spaces.
    func trimmingSuffix() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
