import Catalog
import DemoWorld
import DesiredState
import Drift
import Executor
import Foundation
import Synchronization
import Logging
import Planner
import PostgresClient
import TestSupport
import WardenModel

/// A small legacy warehouse (DemoWorld: three tenants, two templates, 2025 as yearly tables, four days of
/// 2026) with the desired state adopted from it, so a test changes one template and watches warden plan,
/// apply and verify it.
struct ColumnChangeWorld {
    static let asOf = Day(year: 2026, month: 1, day: 5)!

    let built: DemoWorld.Built
    let connection: PostgresConnection
    var desired: DesiredWarehouse

    static func make(_ label: String) async throws -> ColumnChangeWorld {
        let cluster = try await TestCluster.shared()
        let prefix = "\(label)_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster,
            DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 5), firstYear: 2025, databasePrefix: prefix))
        let connection = try await PostgresConnection.connect(ConnectionConfiguration(built.warehouseConnectionString))
        let live = try await CatalogReader.read(connection, options: .drift)
        let desired = Adoption.desiredState(of: live, asOf: asOf)
        return ColumnChangeWorld(built: built, connection: connection, desired: desired)
    }

    /// Runs `body` on a new world, and tears the world down afterwards, whether `body` threw or not.
    static func with(_ label: String, _ body: (inout ColumnChangeWorld) async throws -> Void) async throws {
        var world = try await make(label)
        do {
            try await body(&world)
        } catch {
            await world.tearDown()
            throw error
        }
        await world.tearDown()
    }

    func tearDown() async {
        await connection.close()
        guard let cluster = try? await TestCluster.shared() else { return }
        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }

    var tenants: [String] { built.configuration.tenants.map(\.schema) }

    /// The foodlogstats template, to change.
    var foodlogstats: Template {
        get { desired.template(named: "foodlogstats")! }
        set { desired.templates[desired.templates.firstIndex { $0.name == "foodlogstats" }!] = newValue }
    }

    /// Seed 000's change: `waste_category text`, `'UNKNOWN'` for history, appended after the last column.
    mutating func appendWasteCategory() {
        var template = foodlogstats
        template.columns.append(Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN"))
        template.query = template.query.replacing("pf.weight", with: "pf.weight,\n    pf.waste_category")
        foodlogstats = template
    }

    func drift() async throws -> DriftReport {
        let live = try await CatalogReader.read(connection, options: .drift)
        return DriftDetector.detect(desired: desired, live: live, asOf: Self.asOf)
    }

    func plan() async throws -> Plan {
        let live = try await CatalogReader.read(connection, options: .drift)
        let drift = DriftDetector.detect(desired: desired, live: live, asOf: Self.asOf)
        return Planner.plan(desired: desired, live: live, drift: drift, asOf: Self.asOf, policy: desired.settings.policy)
    }

    /// Applies the plan's steps of `phases` only (all by default), over two connections.
    @discardableResult
    func apply(
        _ plan: Plan, phases: Set<PlanStep.Phase> = Set(PlanStep.Phase.allCases),
        options: ApplyOptions = ApplyOptions(parallelism: 2, command: "column change test", asOf: Self.asOf)
    ) async throws -> ApplyReport {
        let partial = Plan(
            steps: plan.steps.filter { phases.contains($0.phase) }, revision: plan.revision, asOf: plan.asOf,
            strategy: plan.strategy, notes: plan.notes)
        return try await PlanExecutor.apply(
            partial, configuration: ConnectionConfiguration(built.warehouseConnectionString),
            options: options, logger: Logger(label: "test"), progress: nil)
    }

    /// What a reader of the public view saw while `body` ran: queries done, errors, the longest query.
    /// Its session's lock_timeout is 1 s: a lock wait longer than that is an error.
    func whileReading(_ body: () async throws -> Void) async throws -> PublicViewReader.Figures {
        let reader = try await PublicViewReader.start(
            built.warehouseConnectionString, every: .milliseconds(20), lockTimeout: .seconds(1))
        do {
            try await body()
        } catch {
            _ = await reader.stop()
            throw error
        }
        return await reader.stop()
    }

    /// Drift items as one line each, for failure messages.
    static func lines(_ report: DriftReport) -> String {
        report.items.map { "\($0.kind.rawValue) \($0.object): expected \($0.expected); found \($0.found)" }.joined(separator: "\n")
    }

    /// Row count and a checksum of `columns` (expressions, e.g. `weight::text`) of a relation, ordered by id.
    func checksum(_ relation: String, _ columns: [String]) async throws -> String {
        let list = columns.joined(separator: ", ")
        let row = try await connection.query(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(ROW(\(list))::text, ',' ORDER BY id)), '') FROM \(relation)")
        return row.rows[0][0] ?? ""
    }

    /// The checksum of each tenant's 2025 yearly table over `columns`.
    func yearlyChecksums(_ columns: [String]) async throws -> [String: String] {
        var sums: [String: String] = [:]
        for tenant in tenants { sums[tenant] = try await checksum("\(tenant).foodlogstats_2025", columns) }
        return sums
    }

    /// Rows of the public view per tenant.
    func publicRows(_ template: String = "foodlogstats") async throws -> [String: Int] {
        let rows = try await connection.query("SELECT tenant, count(*)::int FROM public.\(template) GROUP BY 1")
        return Dictionary(uniqueKeysWithValues: rows.rows.map { ($0[0] ?? "", Int($0[1] ?? "") ?? 0) })
    }

    /// A relation's columns in order.
    func columns(_ relation: String) async throws -> [String] {
        try await connection.query(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [relation]
        ).rows.map { $0[0] ?? "" }
    }

    /// Every relation outside `_wh` (warden's journal), with its kind, columns and types, comment and
    /// privileges, and the registry rows: equal before and after means the warehouse did not change.
    func catalogSnapshot() async throws -> [String] {
        let relations = try await connection.query(
            """
            SELECT format('%s.%s %s %s comment=%s acl=%s columns=%s', n.nspname, c.relname, c.relkind, c.oid,
                          coalesce(obj_description(c.oid, 'pg_class'), ''), coalesce(c.relacl::text, ''),
                          (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                           FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '_wh')
            ORDER BY n.nspname, c.relname
            """)
        let registry = try await connection.query(
            "SELECT format('%s %s %s', template_name, md5(query_template), md5(column_definitions)) FROM _wh.mv_templates ORDER BY 1")
        return (relations.rows + registry.rows).map { $0[0] ?? "" }
    }

    /// The OIDs of every relation of a template, by name: unchanged means untouched.
    func oids(of template: String) async throws -> [String: String] {
        let rows = try await connection.query(
            """
            SELECT format('%s.%s', n.nspname, c.relname), c.oid::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'v', 'm', 'i') AND (c.relname = $1 OR c.relname LIKE $1 || '\\_%' OR c.relname LIKE 'idx\\_%\\_' || $1 || '\\_%')
            """, [template])
        return Dictionary(uniqueKeysWithValues: rows.rows.map { ($0[0] ?? "", $0[1] ?? "") })
    }

    /// Relations named like a shadow or a retired object.
    func leftovers() async throws -> [String] {
        try await connection.query(
            "SELECT relname::text FROM pg_class WHERE relname LIKE '%\\_\\_shadow%' OR relname LIKE '%\\_\\_retired%' ORDER BY 1"
        ).rows.map { $0[0] ?? "" }
    }
}
