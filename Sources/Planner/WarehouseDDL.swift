import PostgresSyntax
import WardenModel

/// The SQL text of the warehouse's objects, as the seed's functions would write it: every identifier
/// quoted where PostgreSQL needs it, every value a literal or a dollar-quoted body.
enum WarehouseDDL {
    /// `CREATE MATERIALIZED VIEW s.t_YYYY_MM_DD AS SELECT * FROM dblink('<connection>', $q$…$q$) AS t(…)`.
    static func createDailyView(_ name: QualifiedName, template: Template, day: Day, connection: String) -> String {
        "CREATE MATERIALIZED VIEW \(name) AS SELECT * FROM dblink(\(SQL.quoteLiteral(connection)), "
            + "\(SQL.dollarQuote(template.renderedQuery(for: day)))) AS t(\(template.columnDefinitions))"
    }

    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] <name> ON s.r (a, b)`.
    static func createIndex(_ spec: IndexSpec, named index: String, on relation: QualifiedName, concurrently: Bool) -> String {
        "CREATE \(spec.unique ? "UNIQUE " : "")INDEX \(concurrently ? "CONCURRENTLY IF NOT EXISTS " : "")"
            + "\(SQL.identifier(index)) ON \(relation) (\(spec.columns.map(SQL.identifier).joined(separator: ", ")))"
    }

    /// `COMMENT ON MATERIALIZED VIEW s.r IS 'warden: spec=… revision=…'`.
    static func comment(on relation: QualifiedName, stamp: ObjectStamp) -> String {
        "COMMENT ON MATERIALIZED VIEW \(relation) IS \(SQL.quoteLiteral(stamp.description))"
    }

    /// A tenant view of the template's columns over `members`; with no member, an empty view of the
    /// template's types (never `AS` with no body).
    static func tenantView(_ view: QualifiedName, template: Template, members: [QualifiedName]) -> String {
        members.isEmpty ? emptyTenantView(view, template: template)
            : tenantView(view, columns: template.columns.map(\.name), members: members)
    }

    /// A tenant's union view: its columns named in template order, one branch per member, oldest first.
    static func tenantView(_ view: QualifiedName, columns: [String], members: [QualifiedName]) -> String {
        let list = columns.map(SQL.identifier).joined(separator: ", ")
        return "CREATE OR REPLACE VIEW \(view) AS\n"
            + members.map { "SELECT \(list) FROM \($0)" }.joined(separator: "\nUNION ALL\n")
    }

    /// A public view: the tenant's schema name as the first column, then the template's columns, one
    /// branch per tenant view.
    static func publicView(_ view: QualifiedName, tenantColumn: String, columns: [String], tenantViews: [QualifiedName]) -> String {
        let list = columns.map(SQL.identifier).joined(separator: ", ")
        return "CREATE OR REPLACE VIEW \(view) AS\n"
            + tenantViews.map {
                "SELECT \(SQL.quoteLiteral($0.schema))::text AS \(SQL.identifier(tenantColumn)), \(list) FROM \($0)"
            }.joined(separator: "\nUNION ALL\n")
    }

    /// `ALTER TABLE s.t ADD COLUMN c type [DEFAULT 'literal'] [NOT NULL]`: metadata-only with a constant
    /// default, so it holds its lock for milliseconds whatever the table's size.
    static func addColumn(_ column: Column, to table: QualifiedName) -> String {
        var text = "ALTER TABLE \(table) ADD COLUMN \(SQL.identifier(column.name)) \(column.type.name)"
        if let value = column.defaultValue { text += " DEFAULT \(SQL.quoteLiteral(value))" }
        if column.notNull { text += " NOT NULL" }
        return text
    }

    /// The registry's `indexes` text: one `CREATE [UNIQUE] INDEX idx_{SCHEMA}_{VIEW_NAME}_… ON
    /// {SCHEMA}.{VIEW_NAME} (…);` line per index, as the seed writes them.
    static func registryIndexes(_ template: Template) -> String {
        template.indexes.map { spec in
            "CREATE \(spec.unique ? "UNIQUE " : "")INDEX idx_{SCHEMA}_{VIEW_NAME}_\(spec.columns.joined(separator: "_")) "
                + "ON {SCHEMA}.{VIEW_NAME} (\(spec.columns.map(SQL.identifier).joined(separator: ", ")));"
        }.joined(separator: "\n")
    }

    /// `INSERT … ON CONFLICT (template_name) DO UPDATE` of the template's `_wh.mv_templates` row.
    static func registryUpsert(
        name: String, description: String?, query: String, columnDefinitions: String, indexes: String?
    ) -> String {
        "INSERT INTO _wh.mv_templates (template_name, description, query_template, column_definitions, indexes)\n"
            + "VALUES (\(SQL.quoteLiteral(name)), \(description.map(SQL.quoteLiteral) ?? "NULL"), "
            + "\(SQL.dollarQuote(query, preferredTag: "template")), \(SQL.quoteLiteral(columnDefinitions)), "
            + "\(indexes.map(SQL.quoteLiteral) ?? "NULL"))\n"
            + "ON CONFLICT (template_name) DO UPDATE SET description = EXCLUDED.description, "
            + "query_template = EXCLUDED.query_template, column_definitions = EXCLUDED.column_definitions, "
            + "indexes = EXCLUDED.indexes"
    }
}
