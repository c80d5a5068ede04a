import DesiredState
import Foundation

/// Schema repositories for tests: written inline as path → text, or read from the package's folders.
enum RepositoryFiles {
    /// Files under `desired-state/` from relative path → text.
    static func make(_ files: [String: String], root: String = "desired-state") -> [SourceFile] {
        files.keys.sorted().map { SourceFile(path: "\(root)/\($0)", text: files[$0]!) }
    }

    /// The package's root folder (where Package.swift is).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The demo warehouse's schema repository, `desired-state/` at the package root, as a repository would hold it.
    static func demo() throws -> [SourceFile] {
        try DesiredStateLoader.files(inFolder: packageRoot.appendingPathComponent("desired-state").path)
            .map { SourceFile(path: "desired-state/" + $0.path, contents: $0.contents) }
    }

    /// A minimal valid template file.
    static func template(_ name: String, columns: String = "  - { name: id, type: bigint }\n", extra: String = "") -> String {
        """
        apiVersion: warden/v1
        kind: Template
        name: \(name)
        query: \(name).sql
        columns:
        \(columns)\(extra)
        """
    }

    /// A query that uses `{TARGET_DATE}`.
    static let query = "SELECT id FROM t WHERE day = '{TARGET_DATE}'\n"

    /// A minimal valid warehouse.yaml.
    static let warehouse = """
        apiVersion: warden/v1
        kind: Warehouse
        firstYear: 2024
        tenants:
          - { schema: landb, connection: landb-prod }

        """
}
