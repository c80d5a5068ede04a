import Foundation
import Catalog
import PostgresClient
import WardenModel

/// Compares two warehouses as warden's own catalog reader sees them, for tests that prove a reconciled
/// warehouse equals one bootstrapped from scratch at the same desired state.
///
/// Both are read with ``CatalogReader`` (every definition deparsed) and normalized: relations are
/// matched by name and described by role (daily view, yearly table, union view, leftover), kind,
/// columns and types in order, defaults and `NOT NULL`, indexes (name, columns, uniqueness, validity,
/// definition), owner, privileges, comment, view definition and members; schemas by owner and `USAGE`;
/// registry rows; foreign servers. Run-specific bits are left out: sizes, OIDs, and the `revision=`
/// field of warden's stamps (two runs at the same desired state may come from different commits).
/// Yearly tables hold history as it was loaded, which no change rewrites: their columns are compared
/// by name and type (an added column is appended) and their stamp by presence only.
public enum WarehouseComparison {
    /// The human-readable differences between two warehouses; empty when they are the same.
    ///
    /// - Parameters:
    ///   - labels: what to call each side in the messages.
    ///   - ignoringSchemas: schemas left out of the comparison (`_wh` holds warden's run journal, whose
    ///     rows but not structure differ; it is compared unless listed here).
    public static func differences(
        _ left: PostgresConnection, _ right: PostgresConnection, labels: (String, String) = ("reconciled", "from scratch"),
        ignoringSchemas: Set<String> = []
    ) async throws -> [String] {
        let options = CatalogReader.Options(includeDefinitions: .all, includeViewDefinitions: .all, includeIndexDefinitions: true)
        let one = try await CatalogReader.read(left, options: options)
        let other = try await CatalogReader.read(right, options: options)
        return differences(one, other, labels: labels, ignoringSchemas: ignoringSchemas)
    }

    /// The differences between two warehouses already read.
    public static func differences(
        _ left: LiveWarehouse, _ right: LiveWarehouse, labels: (String, String) = ("reconciled", "from scratch"),
        ignoringSchemas: Set<String> = []
    ) -> [String] {
        let templates = Set(left.registry.keys).union(right.registry.keys)
        let one = describe(left, templates: templates, ignoring: ignoringSchemas)
        let other = describe(right, templates: templates, ignoring: ignoringSchemas)
        var out: [String] = []
        for key in Set(one.keys).union(other.keys).sorted() {
            switch (one[key], other[key]) {
            case (let a?, nil): out.append("\(key): only in \(labels.0) (\(a.first ?? ""))")
            case (nil, let b?): out.append("\(key): only in \(labels.1) (\(b.first ?? ""))")
            case (let a?, let b?) where a != b:
                for (index, line) in a.enumerated() where index >= b.count || b[index] != line {
                    let found = index < b.count ? b[index] : "nothing"
                    out.append("\(key): \(labels.0) has \(line); \(labels.1) has \(found)")
                }
                for line in b.dropFirst(a.count) { out.append("\(key): \(labels.0) has nothing; \(labels.1) has \(line)") }
            default: break
            }
        }
        return out
    }

    /// Every object as a key and the lines that describe it, in a fixed order.
    static func describe(_ warehouse: LiveWarehouse, templates: Set<String>, ignoring: Set<String>) -> [String: [String]] {
        var objects: [String: [String]] = [:]
        for (name, relation) in warehouse.relations where !ignoring.contains(name.schema) {
            var lines = ["\(relation.kind.rawValue) \(role(of: name.name, templates: templates))"]
            let yearly: Bool
            if case .yearlyTable = ObjectNames.role(of: name.name, templates: templates) { yearly = true } else { yearly = false }
            // A yearly table keeps its history as loaded: a column added later is appended (ADD COLUMN is
            // metadata-only, as seed 000 does it), so its columns are compared by name, not position.
            let columns = yearly ? relation.columns.sorted { $0.name < $1.name } : relation.columns
            lines.append("columns " + columns.map { column in
                var text = "\(column.name) \(column.type.name)"
                if column.notNull { text += " not null" }
                if let value = column.defaultExpression { text += " default \(value)" }
                return text
            }.joined(separator: ", "))
            for index in relation.indexes.sorted(by: { $0.name < $1.name }) {
                lines.append("index \(index.name) (\(index.columns.joined(separator: ", ")))\(index.unique ? " unique" : "")"
                    + "\(index.valid ? "" : " invalid"): \(index.definition)")
            }
            lines.append("owner \(relation.owner)")
            lines.append("privileges " + relation.privileges.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.sorted().joined(separator: "+"))" }.joined(separator: ", "))
            // Its stamp records what its rows were loaded from (the query and columns of that day), which a
            // later change never rewrites: compared as present or not.
            let comment = relation.comment.map { yearly && ObjectStamp(comment: $0) != nil ? "warden stamp" : withoutRevision($0) }
            lines.append("comment " + (comment ?? "none"))
            if relation.kind != .table {
                lines.append("definition " + (relation.definition.map(trimmed) ?? "none"))
                lines.append("members " + relation.dependsOn.sorted().map(\.description).joined(separator: ", "))
            }
            if relation.kind == .materializedView { lines.append(relation.populated ? "populated" : "not populated") }
            objects["relation \(name)"] = lines
        }
        for (name, schema) in warehouse.schemas where !ignoring.contains(name) {
            objects["schema \(name)"] = ["owner \(schema.owner)", "usage " + schema.usage.sorted().joined(separator: ", ")]
        }
        for (name, row) in warehouse.registry {
            objects["registry row \(name)"] = [
                "description \(row.description ?? "none")", "query \(trimmed(row.queryTemplate))",
                "column_definitions \(row.columnDefinitions)", "indexes \(row.indexes ?? "none")",
            ]
        }
        for (name, server) in warehouse.foreignServers {
            objects["foreign server \(name)"] = [
                "wrapper \(server.wrapper)",
                "options " + server.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
            ]
        }
        return objects
    }

    /// What a relation is to warden.
    static func role(of name: String, templates: Set<String>) -> String {
        switch ObjectNames.role(of: name, templates: templates) {
        case .dailyView(let template, let day): "(daily view of \(template), \(day))"
        case .yearlyTable(let template, let year): "(yearly table of \(template), \(year))"
        case .unionView(let template): "(union view of \(template))"
        case .leftover(let base, let suffix): "(leftover \(suffix) of \(base))"
        case nil: "(not warden's)"
        }
    }

    /// A comment without the `revision=` field of a warden stamp.
    static func withoutRevision(_ comment: String) -> String {
        guard ObjectStamp(comment: comment) != nil else { return comment }
        return comment.split(separator: " ").filter { !$0.hasPrefix("revision=") }.joined(separator: " ")
    }

    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
    }
}
