import DesiredState
import Foundation
import Testing
import WardenModel

/// The demo warehouse's desired state (`desired-state/`) loads cleanly and describes exactly the legacy
/// warehouse `examples/` builds.
@Suite struct DemoDesiredStateTests {
    @Test func theDemoRepositoryLoadsWithoutAnyDiagnostic() throws {
        let result = DesiredStateLoader.load(files: try RepositoryFiles.demo(), root: "desired-state", revision: "abc123")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let desired = try #require(result.desired)
        #expect(desired.revision == "abc123")
        #expect(desired.settings.firstYear == 2024)
        #expect(desired.settings.timeZone == "UTC")
        #expect(desired.settings.owner == nil)
        #expect(desired.settings.tenants == [
            Tenant(schema: "landb", connection: "landb-prod"), Tenant(schema: "acme", connection: "acme-prod"),
            Tenant(schema: "bistro", connection: "bistro-prod"),
        ])
        #expect(desired.settings.grants == [
            Grant(role: "analysts", scope: .publicViews), Grant(role: "landb_readers", scope: .tenantViews("landb")),
        ])
        #expect(desired.settings.windows == [
            MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 4 * 3600,
                              timeZone: "America/Chicago", manualSync: true),
            MaintenanceWindow(name: "month-end-close", kind: .deny, schedule: "0 0 28 * *", durationSeconds: 96 * 3600),
        ])
        #expect(desired.settings.policy == Policy())
        #expect(desired.settings.policy.lockTimeoutMilliseconds == 2000)
        #expect(desired.templates.map(\.name) == ["foodlogstats", "storedaily"])
        let foodlogstats = try #require(desired.template(named: "foodlogstats"))
        #expect(foodlogstats.columns.map(\.type.name) == [
            "bigint", "text", "timestamp with time zone", "integer", "text", "numeric(10,3)",
        ])
        #expect(foodlogstats.indexes == [
            IndexSpec(columns: ["id"], unique: true), IndexSpec(columns: ["logged_time"]), IndexSpec(columns: ["store"]),
            IndexSpec(columns: ["action_taken_id"]),
        ])
    }

    /// Each template matches its row of `_wh.mv_templates` in `examples/warehouse/templates.sql`: description,
    /// query (modulo trailing whitespace), column definitions and indexes.
    @Test func theDemoTemplatesMatchTheLegacyRegistryRows() throws {
        let desired = try #require(
            DesiredStateLoader.load(files: try RepositoryFiles.demo(), root: "desired-state", revision: nil).desired)
        let sql = try String(
            contentsOf: RepositoryFiles.packageRoot.appendingPathComponent("examples/warehouse/templates.sql"), encoding: .utf8)
        let rows = LegacyRegistry.rows(in: sql)
        #expect(rows.map(\.name) == desired.templates.map(\.name))
        for row in rows {
            let template = try #require(desired.template(named: row.name))
            #expect(template.description == row.description)
            #expect(template.query == row.query.trimmingTrailingWhitespaceForTest)
            #expect(template.columns.map(\.name) == row.columns.map(\.name))
            #expect(template.columns.map(\.type) == row.columns.map { ColumnType($0.type)! })
            #expect(template.indexes == row.indexes)
        }
    }
}

/// Reads the rows of `examples/warehouse/templates.sql` (dollar-quoted, one `VALUES` tuple per template).
enum LegacyRegistry {
    struct Row {
        var name: String
        var description: String
        var query: String
        var columns: [(name: String, type: String)]
        var indexes: [IndexSpec]
    }

    static func rows(in sql: String) -> [Row] {
        let queries = between("$template$", in: sql)
        let columnLists = between("$columns$", in: sql)
        let tuples = sql.components(separatedBy: "$columns$,").dropFirst()
        var rows: [Row] = []
        let heads = sql.components(separatedBy: "$template$").enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        for (index, query) in queries.enumerated() {
            // The head before each query holds 'name', 'description',.
            let literals = heads[index].split(separator: "'", omittingEmptySubsequences: false)
            let name = String(literals[literals.count - 4])
            let description = String(literals[literals.count - 2])
            let columns = columnLists[index].split(separator: "\n").map { line -> (name: String, type: String) in
                let trimmed = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ","))
                let space = trimmed.firstIndex(of: " ")!
                return (String(trimmed[..<space]), String(trimmed[trimmed.index(after: space)...]))
            }
            let indexText = Array(tuples)[index].components(separatedBy: "\n)").first ?? ""
            let indexes = indexText.split(separator: "\n").compactMap { line -> IndexSpec? in
                guard line.contains("CREATE"), let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")") else { return nil }
                let keys = line[line.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return IndexSpec(columns: keys, unique: line.contains("UNIQUE"))
            }
            rows.append(Row(name: name, description: description, query: query, columns: columns, indexes: indexes))
        }
        return rows
    }

    /// The texts between pairs of `tag`.
    static func between(_ tag: String, in text: String) -> [String] {
        text.components(separatedBy: tag).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }
}

extension String {
    var trimmingTrailingWhitespaceForTest: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
