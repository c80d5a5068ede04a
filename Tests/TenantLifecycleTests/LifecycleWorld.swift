import Controller
import DemoWorld
import EmbeddedPostgres
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import TestSupport
import WardenModel
import WarehouseComparison

/// Tenant sources of the demo world, a desired-state folder written per test, and empty warehouses
/// that warden builds and reconciles through the library (desired state → drift → plan → apply).
struct LifecycleWorld {
    let cluster: EmbeddedPostgres
    let configuration: DemoWorld.Configuration
    let folder: TemporaryFolder
    let logger = Logger(label: "test.lifecycle")
    /// Roles the grants name (cluster-wide, created when missing).
    static let roles = ["analysts", "landb_readers"]

    /// Builds the sources of `tenants` with data through `sourcesThrough`, from January 1 of `firstYear`.
    static func make(
        _ label: String, tenants: [String], firstYear: Int, sourcesThrough: PostgresDate
    ) async throws -> LifecycleWorld {
        let cluster = try await TestCluster.shared()
        let prefix = "\(label)_\(UUID().uuidString.prefix(6).lowercased())_"
        let configuration = DemoWorld.Configuration(
            asOf: sourcesThrough, firstYear: firstYear,
            tenants: DemoWorld.demoTenants.filter { tenants.contains($0.schema) }, databasePrefix: prefix)
        _ = try await DemoWorld.buildSources(on: cluster, configuration)
        let folder = try TemporaryFolder("warden-lifecycle")
        try FileManager.default.createDirectory(atPath: folder.path + "/templates", withIntermediateDirectories: true)
        for file in ["foodlogstats.yaml", "foodlogstats.sql", "storedaily.yaml", "storedaily.sql"] {
            try FileManager.default.copyItem(
                atPath: packageRoot + "/desired-state/templates/" + file, toPath: folder.path + "/templates/" + file)
        }
        return LifecycleWorld(cluster: cluster, configuration: configuration, folder: folder)
    }

    /// An empty warehouse database (`_wh` functions, dblink servers for every tenant, the roles).
    func emptyWarehouse(_ name: String) async throws -> ConnectionConfiguration {
        ConnectionConfiguration(try await DemoWorld.emptyWarehouse(
            on: cluster, database: configuration.databasePrefix + name, configuration, roles: Self.roles))
    }

    /// Writes `warehouse.yaml` with these tenants (each reached through `<tenant>-prod`).
    func desire(tenants: [String], firstYear: Int) throws {
        let list = tenants.map { "  - schema: \($0)\n    connection: \($0)-prod" }.joined(separator: "\n")
        let yaml = """
            apiVersion: warden/v1
            kind: Warehouse
            timeZone: UTC
            firstYear: \(firstYear)
            publicSchema: public
            tenantColumn: tenant
            tenants:
            \(list)
            grants:
              - role: analysts
                on: public
              - role: landb_readers
                on: tenant/landb
            policy:
              parallelism: 2

            """
        try yaml.write(toFile: folder.path + "/warehouse.yaml", atomically: true, encoding: .utf8)
    }

    /// The plan that reconciles the warehouse with the desired state as of `asOf`.
    func plan(_ database: ConnectionConfiguration, asOf: Day) async throws -> Plan {
        try await Pipeline.withDesiredState(.folder(folder.path), database: database, logger: logger) { desired, connection in
            try await Pipeline.plan(desired, on: connection, asOf: asOf).plan
        }
    }

    /// Runs a plan with two connections for prepare.
    @discardableResult
    func run(_ plan: Plan, on database: ConnectionConfiguration) async throws -> ApplyReport {
        try await PlanExecutor.apply(
            plan, configuration: database,
            options: ApplyOptions(parallelism: 2, command: "lifecycle test", revision: plan.revision, asOf: plan.asOf),
            logger: logger, progress: nil)
    }

    /// Plans and applies; returns the plan that ran.
    @discardableResult
    func apply(_ database: ConnectionConfiguration, asOf: Day) async throws -> Plan {
        let plan = try await plan(database, asOf: asOf)
        try await run(plan, on: database)
        return plan
    }

    /// The drift left after an apply (empty when in sync), as `kind object` lines.
    func drift(_ database: ConnectionConfiguration, asOf: Day) async throws -> [String] {
        try await Pipeline.withDesiredState(.folder(folder.path), database: database, logger: logger) { desired, connection in
            try await Pipeline.drift(desired, on: connection, asOf: asOf).items.map { "\($0.kind.rawValue) \($0.object): \($0.found)" }
        }
    }

    /// The differences between two warehouses, read by the real catalog reader.
    func differences(_ reconciled: ConnectionConfiguration, _ scratch: ConnectionConfiguration) async throws -> [String] {
        let left = try await PostgresConnection.connect(reconciled)
        let right = try await PostgresConnection.connect(scratch)
        defer { Task { await left.close(); await right.close() } }
        return try await WarehouseComparison.differences(left, right)
    }

    /// Rows of a tenant's source for the UTC days `[from, to)`, counted through the warehouse's dblink.
    func sourceRows(_ tenant: String, from: String, to: String, through database: ConnectionConfiguration) async throws -> Int {
        let connection = try await PostgresConnection.connect(database)
        defer { Task { await connection.close() } }
        return try await connection.scalar(
            Int.self,
            """
            SELECT n::int FROM dblink('\(tenant)-prod', $q$SELECT count(*) FROM phood_foodlogsum
                WHERE logged_time >= '\(from) 00:00:00+00' AND logged_time < '\(to) 00:00:00+00'$q$) AS t(n bigint)
            """)
    }

    /// Runs `body` on a new world (see ``make(_:tenants:firstYear:sourcesThrough:)``), and tears the world
    /// down afterwards, whether `body` threw or not.
    static func with(
        _ label: String, tenants: [String], firstYear: Int, sourcesThrough: PostgresDate,
        _ body: (LifecycleWorld) async throws -> Void
    ) async throws {
        let world = try await make(label, tenants: tenants, firstYear: firstYear, sourcesThrough: sourcesThrough)
        do {
            try await body(world)
        } catch {
            await world.tearDown()
            throw error
        }
        await world.tearDown()
    }

    func tearDown() async {
        folder.remove()
        guard let postgres = try? await cluster.connect() else { return }
        let names = try? await postgres.query(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)", [configuration.databasePrefix])
        await postgres.close()
        for row in names?.rows ?? [] {
            if let name = try? row.decode(String.self, at: 0) { try? await cluster.dropDatabase(name) }
        }
    }
}
