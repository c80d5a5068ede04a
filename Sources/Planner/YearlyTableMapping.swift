import PostgresSyntax
import WardenModel

/// How a live yearly table's columns become the template's: for each template column, the live column
/// it is read from (by name, else by its `renamedFrom` name), and what that takes.
///
/// Views name their columns, so a yearly table's physical column order never matters: a column added
/// with `ADD COLUMN` sits last on disk and is read by name like any other.
struct YearlyTableMapping {
    let table: LiveRelation
    /// Per template column, in template order: the live column it reads, or `nil` when the table lacks it.
    let sources: [(column: Column, from: LiveColumn?)]

    init(template: Template, table: LiveRelation) {
        self.table = table
        sources = template.columns.map { column in
            if let same = table.columns.first(where: { $0.name == column.name }) { return (column, same) }
            if let old = column.renamedFrom, let renamed = table.columns.first(where: { $0.name == old }) {
                return (column, renamed)
            }
            return (column, nil)
        }
    }

    /// Columns whose live type differs from the template's: the table must be copied with conversions.
    var retyped: [(column: Column, from: LiveColumn)] {
        sources.compactMap { source in
            guard let from = source.from, from.type.name != source.column.type.name else { return nil }
            return (source.column, from)
        }
    }

    /// Columns the table has under their previous name.
    var renamed: [(column: Column, from: LiveColumn)] {
        sources.compactMap { source in
            guard let from = source.from, from.name != source.column.name else { return nil }
            return (source.column, from)
        }
    }

    /// Template columns the table lacks (`ADD COLUMN … DEFAULT`, metadata-only).
    var missing: [Column] { sources.filter { $0.from == nil }.map(\.column) }

    /// Live columns no template column reads (`DROP COLUMN`: their history is lost).
    var extra: [LiveColumn] {
        let read = Set(sources.compactMap { $0.from?.name })
        return table.columns.filter { !read.contains($0.name) }
    }

    /// The select list that reads the template's columns from the table as it is now, renamed columns
    /// under their new name (`weight AS weight_kg`). Only valid when nothing is missing or retyped.
    var selectList: [String] {
        sources.map { source in
            let name = SQL.identifier(source.column.name)
            guard let from = source.from, from.name != source.column.name else { return name }
            return SQL.identifier(from.name) + " AS " + name
        }
    }

    /// What a shadow copy's `INSERT … SELECT` reads: the template columns the table has, each under its
    /// new name, converted where the type changed (`weight::integer`). Columns the table lacks are left
    /// to their default.
    var copyList: [(column: String, expression: String)] {
        sources.compactMap { source in
            guard let from = source.from else { return nil }
            var expression = SQL.identifier(from.name)
            if from.type.name != source.column.type.name { expression += "::" + source.column.type.name }
            return (SQL.identifier(source.column.name), expression)
        }
    }

    /// The stamp's hash of a shadow copy: the table it copies, the template's columns and how each is
    /// read, and the indexes.
    func shadowSpecHash(template: Template) -> String {
        SpecHash.of(
            ["yearly-table", table.name.description, template.columnDefinitions]
                + copyList.map { "\($0.column)=\($0.expression)" }
                + template.columns.map { "\($0.name) default=\($0.defaultValue ?? "") notNull=\($0.notNull)" }
                + template.indexes.sorted().map(\.description))
    }
}
