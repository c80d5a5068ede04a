import Foundation

/// What docs/WEBHOOKS.md documents, read from the file, so tests compare what is sent with what the
/// documentation says and the two cannot drift apart.
public enum WebhookDocumentation {
    /// The names in the first column of a section's table: `| \`name\` | … |` rows under `## title`.
    public static func names(inSection title: String) throws -> [String] {
        let text = try String(contentsOfFile: packageRoot + "/docs/WEBHOOKS.md", encoding: .utf8)
        let parts = text.components(separatedBy: "\n## \(title)\n")
        guard parts.count == 2 else { return [] }
        let section = parts[1].components(separatedBy: "\n## ")[0]
        return section.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let rest = line.dropFirst(3)
            guard let end = rest.firstIndex(of: "`") else { return nil }
            return String(rest[..<end])
        }
    }

    /// The payload's fields, in the documented order.
    public static func fields() throws -> [String] { try names(inSection: "Fields") }

    /// The events, in the documented order.
    public static func events() throws -> [String] { try names(inSection: "Events") }
}
