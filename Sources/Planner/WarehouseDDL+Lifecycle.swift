import PostgresSyntax
import WardenModel

extension WarehouseDDL {
    /// A tenant view with no members yet (a tenant added on January 1 of `firstYear`): the template's
    /// columns, typed, and no rows.
    static func emptyTenantView(_ view: QualifiedName, template: Template) -> String {
        let columns = template.columns.map { "CAST(NULL AS \($0.type.name)) AS \(SQL.identifier($0.name))" }
        return "CREATE OR REPLACE VIEW \(view) AS\nSELECT \(columns.joined(separator: ", ")) WHERE false"
    }

    /// `DROP <kind> IF EXISTS`, the right word for the relation's kind.
    static func drop(_ relation: LiveRelation) -> String {
        let word = switch relation.kind {
        case .view: "VIEW"
        case .materializedView: "MATERIALIZED VIEW"
        case .table: "TABLE"
        }
        return "DROP \(word) IF EXISTS \(relation.name)"
    }

    /// `ALTER <kind> … OWNER TO …`.
    static func owner(_ kind: LiveRelation.Kind, _ name: QualifiedName, to role: String) -> String {
        let word = switch kind {
        case .view: "VIEW"
        case .materializedView: "MATERIALIZED VIEW"
        case .table: "TABLE"
        }
        return "ALTER \(word) \(name) OWNER TO \(SQL.identifier(role))"
    }

    /// Drops a schema unless something is still in it (objects warden does not manage: functions, types,
    /// tables of other templates): then it is kept, with a notice, and the step still succeeds.
    static func dropSchemaIfEmpty(_ schema: String) -> String {
        "DO " + SQL.dollarQuote(
            """

            BEGIN
                DROP SCHEMA IF EXISTS \(SQL.identifier(schema));
            EXCEPTION WHEN dependent_objects_still_exist THEN
                RAISE NOTICE 'schema % is kept: it holds objects warden does not manage', \(SQL.quoteLiteral(schema));
            END

            """, preferredTag: "warden")
    }

    /// `_wh.mv_templates` as `examples/warehouse/seed_functions.sql` creates it, for an empty warehouse.
    static let createRegistry = [
        "CREATE SCHEMA IF NOT EXISTS _wh",
        """
        CREATE TABLE IF NOT EXISTS _wh.mv_templates (
            template_name      text        PRIMARY KEY,
            description        text,
            query_template     text        NOT NULL,
            column_definitions text        NOT NULL,
            indexes            text,
            created_at         timestamptz NOT NULL DEFAULT now(),
            updated_at         timestamptz NOT NULL DEFAULT now()
        )
        """,
    ]
}
