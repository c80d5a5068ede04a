import EmbeddedPostgres
import Foundation
import Logging
import PostgresClient
import PostgresSyntax

extension DemoWorld {
    /// Builds (or rebuilds) the tenant source databases of `configuration`, in parallel: synthetic food
    /// logs from January 1 of `firstYear` through `asOf`. Returns the rows generated per database.
    public static func buildSources(
        on cluster: EmbeddedPostgres, _ configuration: Configuration, logger: Logger = Logger(label: "warden.demo-world")
    ) async throws -> [String: Int] {
        let sourceSchema = try String(contentsOfFile: try examplesDirectory() + "/source/schema.sql", encoding: .utf8)
        let firstDay = PostgresDate(year: configuration.firstYear, month: 1, day: 1)
        var sourceRows: [String: Int] = [:]
        try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for tenant in configuration.tenants {
                group.addTask {
                    let database = configuration.sourceDatabase(tenant)
                    try await cluster.dropDatabase(database)
                    try await cluster.createDatabase(database)
                    let source = try await cluster.connect(database: database, logger: logger)
                    defer { Task { await source.close() } }
                    try await source.executeScript(sourceSchema)
                    try await source.query("SELECT demo_create_stores($1, $2)", [tenant.schema, tenant.stores])
                    let rows = try await source.scalar(
                        Int.self, "SELECT demo_generate_foodlogs($1::date, $2::date, $3, $4)",
                        [firstDay, configuration.asOf, tenant.rowsPerDay, tenant.seed])
                    return (database, rows)
                }
            }
            for try await (database, rows) in group { sourceRows[database] = rows }
        }
        return sourceRows
    }

    /// An empty warehouse database as warden's bootstrap finds it: the seed's `_wh` functions and an
    /// empty registry (`examples/warehouse/seed_functions.sql`), dblink and a foreign server per tenant
    /// of `configuration` (`connections.sql`), the `_wh_demo` helpers, and the NOLOGIN `roles` the grants
    /// name. No template rows, no tenant schema, no view. Returns a connection string for it.
    public static func emptyWarehouse(
        on cluster: EmbeddedPostgres, database: String, _ configuration: Configuration, roles: [String] = [],
        logger: Logger = Logger(label: "warden.demo-world")
    ) async throws -> String {
        let examples = try examplesDirectory()
        try await cluster.dropDatabase(database)
        try await cluster.createDatabase(database)
        let warehouse = try await cluster.connect(database: database, logger: logger)
        defer { Task { await warehouse.close() } }
        for file in ["warehouse/seed_functions.sql", "warehouse/connections.sql", "warehouse/legacy.sql"] {
            do {
                try await warehouse.executeScript(try String(contentsOfFile: examples + "/" + file, encoding: .utf8))
            } catch let error as PostgresError {
                throw Failure(description: "examples/\(file) failed: \(error)")
            }
        }
        for tenant in configuration.tenants {
            try await warehouse.query(
                "SELECT _wh_demo.create_tenant_connection($1, $2, $3, $4, $5)",
                [tenant.connectionName, configuration.sourceDatabase(tenant), cluster.socketDirectory, cluster.port,
                 cluster.superuser])
        }
        for role in roles { try await warehouse.query("SELECT _wh_demo.ensure_role($1)", [role]) }
        return cluster.connectionString(database: database)
    }
}
