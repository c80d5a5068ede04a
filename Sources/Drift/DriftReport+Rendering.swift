import Foundation
import WardenModel

extension DriftItem {
    enum CodingKeys: String, CodingKey { case kind, template, tenant, object, expected, found, remedy }

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
    }
}

extension DriftReport {
    enum CodingKeys: String, CodingKey { case version, revision, asOf, items }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(revision, forKey: .revision)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(items, forKey: .items)
    }

    /// The stable machine format: `{"version": 1, "revision", "asOf", "items": [...]}`.
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
        guard !items.isEmpty else { return header + ": in sync\n" }
        var lines = [header + ": \(items.count) item\(items.count == 1 ? "" : "s")", ""]
        let rows = items.map { [$0.kind.rawValue, $0.template ?? "-", $0.tenant ?? "-", $0.object, $0.found] }
        let titles = ["KIND", "TEMPLATE", "TENANT", "OBJECT", "FOUND"]
        var widths = titles.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < 4 { widths[index] = min(max(widths[index], cell.count), 60) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index < 4 ? DriftReport.pad(String(cell.prefix(60)), widths[index]) : cell
            }.joined(separator: "  ")
        }
        lines.append(render(titles))
        for (row, item) in zip(rows, items) {
            lines.append(render(row))
            lines.append(String(repeating: " ", count: widths[0] + 2) + "expected: \(item.expected)")
            lines.append(String(repeating: " ", count: widths[0] + 2) + "remedy:   \(item.remedy)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markdown for a pull-request comment.
    public func markdown() -> String { TerminalText.neutralized(rawMarkdown()) }

    private func rawMarkdown() -> String {
        var out = "### warden drift as of \(asOf)" + (revision.map { " (`\(String($0.prefix(12)))`)" } ?? "") + "\n\n"
        guard !items.isEmpty else { return out + "✅ In sync: the warehouse matches the desired state.\n" }
        out += "\(items.count) item\(items.count == 1 ? "" : "s") of drift.\n\n"
        out += "| kind | template | tenant | object | expected | found | remedy |\n"
        out += "|---|---|---|---|---|---|---|\n"
        for item in items {
            let cells = [item.kind.rawValue, item.template ?? "", item.tenant ?? "", item.object, item.expected, item.found, item.remedy]
            out += "| " + cells.map(DriftReport.escapeMarkdown).joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func escapeMarkdown(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ").replacing("`", with: "'")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
