import Drift
import WardenModel

/// A desired warehouse and a live one built exactly to it, for drift and planner tests to change one
/// thing at a time.
public struct WarehouseFixture {
    public var desired: DesiredWarehouse
    public var live: LiveWarehouse
    public var asOf = Day("2026-01-06")!

    public static let foodlogstats = Template(
        name: "foodlogstats", description: "Daily food log statistics",
        query: "SELECT pf.id, pl.name AS store, pf.weight\nFROM phood_foodlogsum pf JOIN phood_location pl ON pl.id = pf.location_id\nWHERE pf.logged_time >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ",
        columns: [
            Column(name: "id", type: ColumnType("int8")!), Column(name: "store", type: ColumnType("TEXT")!),
            Column(name: "weight", type: ColumnType("numeric(10, 3)")!),
        ],
        indexes: [IndexSpec(columns: ["id"], unique: true), IndexSpec(columns: ["store"])])

    public init() {
        let settings = WarehouseSettings(
            firstYear: 2025, tenants: [Tenant(schema: "landb", connection: "landb-prod"), Tenant(schema: "acme", connection: "acme-prod")],
            grants: [Grant(role: "analysts", scope: .publicViews), Grant(role: "landb_readers", scope: .tenantViews("landb"))])
        desired = DesiredWarehouse(settings: settings, templates: [Self.foodlogstats], revision: "abc123")
        live = LiveWarehouse()
        live.roles = ["analysts", "landb_readers", "postgres"]
        build()
    }

    /// Builds the live warehouse exactly as the desired state says, as of `asOf`.
    public mutating func build() {
        let settings = desired.settings
        for tenant in settings.tenants {
            live.foreignServers[tenant.connection] = ForeignServer(name: tenant.connection, wrapper: "dblink_fdw", options: [:])
            let readers = settings.grants.contains { $0.scope == .tenantViews(tenant.schema) }
            live.schemas[tenant.schema] = LiveSchema(name: tenant.schema, owner: "postgres", usage: readers ? ["landb_readers"] : [])
            for template in desired.templates {
                var members: [QualifiedName] = []
                for year in settings.firstYear..<asOf.year {
                    let name = QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, year))
                    live.relations[name] = LiveRelation(
                        name: name, kind: .table, columns: Self.liveColumns(template), indexes: Self.liveIndexes(template, name), owner: "postgres")
                    members.append(name)
                }
                for day in asOf.startOfYear.through(asOf.previous) {
                    let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
                    live.relations[name] = Self.dailyView(template, name: name, day: day, connection: tenant.connection)
                    members.append(name)
                }
                let view = QualifiedName(schema: tenant.schema, name: template.name)
                live.relations[view] = LiveRelation(
                    name: view, kind: .view, columns: Self.liveColumns(template), owner: "postgres",
                    privileges: readers ? ["landb_readers": ["SELECT"]] : [:], dependsOn: members)
            }
        }
        for template in desired.templates {
            let view = QualifiedName(schema: "public", name: template.name)
            live.relations[view] = LiveRelation(
                name: view, kind: .view, columns: [LiveColumn(name: "tenant", type: ColumnType("text")!)] + Self.liveColumns(template),
                owner: "postgres", privileges: ["analysts": ["SELECT"]],
                dependsOn: settings.tenants.map { QualifiedName(schema: $0.schema, name: template.name) })
            live.registry[template.name] = RegistryRow(
                templateName: template.name, description: template.description, queryTemplate: template.query + "\n\n",
                columnDefinitions: template.columns.map { "\($0.name) \($0.type.name.uppercased())" }.joined(separator: ",\n"),
                indexes: template.indexes.map { "CREATE \($0.unique ? "UNIQUE " : "")INDEX idx_{SCHEMA}_{VIEW_NAME}_\($0.columns[0]) ON {SCHEMA}.{VIEW_NAME} (\($0.columns.joined(separator: ", ")));" }.joined(separator: "\n"))
        }
    }

    public static func liveColumns(_ template: Template) -> [LiveColumn] {
        template.columns.map { LiveColumn(name: $0.name, type: $0.type) }
    }

    public static func liveIndexes(_ template: Template, _ name: QualifiedName) -> [LiveIndex] {
        template.indexes.map { LiveIndex(name: "idx_\(name.schema)_\(name.name)_\($0.columns.joined(separator: "_"))", columns: $0.columns, unique: $0.unique) }
    }

    /// A daily view with the definition `pg_get_viewdef` would print.
    public static func dailyView(_ template: Template, name: QualifiedName, day: Day, connection: String, query: String? = nil) -> LiveRelation {
        let rendered = (query ?? template.renderedQuery(for: day)).replacing("'", with: "''")
        let columns = template.columns.map { "\($0.name) \($0.type.name)" }.joined(separator: ", ")
        let select = template.columns.map { "t.\($0.name)" }.joined(separator: ",\n    ")
        let definition = " SELECT \(select)\n   FROM dblink('\(connection)'::text, '\(rendered)'::text) t(\(columns));"
        return LiveRelation(
            name: name, kind: .materializedView, columns: liveColumns(template), indexes: liveIndexes(template, name),
            owner: "postgres", definition: definition)
    }

    public func detect() -> DriftReport { DriftDetector.detect(desired: desired, live: live, asOf: asOf) }
}
