import EmbeddedPostgres
import Foundation
import Logging
import PostgresClient
import PostgresSyntax

/// The demo world of `examples/`: tenant source databases of synthetic food logs, reached through
/// dblink foreign servers (`<tenant>-prod`), and a *legacy* warehouse built the way seed 000 builds one,
/// by hand, without warden.
///
/// `warden demo` and the integration tests build it on an ``EmbeddedPostgres`` cluster.
public enum DemoWorld {
    /// One tenant: its schema in the warehouse and the size of its source.
    public struct Tenant: Sendable, Hashable {
        /// The tenant's schema in the warehouse (`landb`).
        public var schema: String
        /// Stores in the tenant's source.
        public var stores: Int
        /// Average food-log rows per day across the tenant's stores.
        public var rowsPerDay: Int
        /// The seed of the tenant's deterministic synthetic data.
        public var seed: Double

        public init(schema: String, stores: Int, rowsPerDay: Int, seed: Double) {
            self.schema = schema
            self.stores = stores
            self.rowsPerDay = rowsPerDay
            self.seed = seed
        }

        /// The dblink foreign server through which the warehouse reaches the source (`landb-prod`).
        public var connectionName: String { "\(schema)-prod" }
    }

    /// What to build.
    public struct Configuration: Sendable {
        /// The warehouse's "today": the last daily view is the day before.
        public var asOf: PostgresDate
        /// The oldest year kept as a yearly table; source data starts on its January 1.
        public var firstYear: Int
        /// The tenants, in order.
        public var tenants: [Tenant]
        /// Tenants whose union views get a `<tenant>_readers` grant.
        public var readerTenants: [String]
        /// Prefix of every database name, so several worlds can share a cluster.
        public var databasePrefix: String

        /// The demo scale: three tenants of different sizes, two years of history plus this year up to
        /// mid-March (438 daily views and 12 yearly tables over two templates).
        public init(
            asOf: PostgresDate = PostgresDate(year: 2026, month: 3, day: 15), firstYear: Int = 2024,
            tenants: [Tenant] = DemoWorld.demoTenants, readerTenants: [String] = ["landb"], databasePrefix: String = ""
        ) {
            self.asOf = asOf
            self.firstYear = firstYear
            self.tenants = tenants
            self.readerTenants = readerTenants
            self.databasePrefix = databasePrefix
        }

        /// The warehouse database's name.
        public var warehouseDatabase: String { databasePrefix + "warehouse" }
        /// A tenant's source database's name.
        public func sourceDatabase(_ tenant: Tenant) -> String { databasePrefix + "src_" + tenant.schema }
    }

    /// landb (large), acme (medium) and bistro (small).
    public static let demoTenants = [
        Tenant(schema: "landb", stores: 5, rowsPerDay: 60, seed: 0.11),
        Tenant(schema: "acme", stores: 3, rowsPerDay: 25, seed: 0.22),
        Tenant(schema: "bistro", stores: 2, rowsPerDay: 8, seed: 0.33),
    ]

    /// The two templates of the legacy warehouse.
    public static let templates = ["foodlogstats", "storedaily"]

    /// What ``build(on:_:logger:)`` made, and how long it took.
    public struct Built: Sendable {
        public var configuration: Configuration
        /// A libpq connection string for the warehouse database.
        public var warehouseConnectionString: String
        /// Rows generated per source database.
        public var sourceRows: [String: Int]
        /// Seconds spent building the sources and the legacy warehouse.
        public var sourceSeconds: Double
        public var warehouseSeconds: Double
        /// The build procedure's own JSON summary.
        public var summaryJSON: String
    }

    /// The errors of building the world.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Where the SQL files are: `WARDEN_EXAMPLES_DIR`, else `examples/` of the source tree warden was
    /// built from.
    public static func examplesDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["WARDEN_EXAMPLES_DIR"] { candidates.append(explicit) }
        // Sources/DemoWorld/DemoWorld.swift → the package root.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent("examples").path)
        candidates.append(FileManager.default.currentDirectoryPath + "/examples")
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate + "/warehouse/legacy.sql") {
            return candidate
        }
        throw Failure(description: "cannot find the examples folder (looked in \(candidates.joined(separator: ", "))); "
            + "run from warden's source tree or set WARDEN_EXAMPLES_DIR")
    }

    /// Builds the tenant sources and the legacy warehouse on a cluster.
    public static func build(
        on cluster: EmbeddedPostgres, _ configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "warden.demo-world")
    ) async throws -> Built {
        let examples = try examplesDirectory()
        func read(_ file: String) throws -> String {
            try String(contentsOfFile: examples + "/" + file, encoding: .utf8)
        }
        let clock = ContinuousClock()
        let sourcesStarted = clock.now
        let sourceRows = try await buildSources(on: cluster, configuration, logger: logger)
        let sourceSeconds = seconds(clock.now - sourcesStarted)

        let warehouseStarted = clock.now
        try await cluster.dropDatabase(configuration.warehouseDatabase)
        try await cluster.createDatabase(configuration.warehouseDatabase)
        let warehouse = try await cluster.connect(database: configuration.warehouseDatabase, logger: logger)
        defer { Task { await warehouse.close() } }
        for file in ["warehouse/seed_functions.sql", "warehouse/connections.sql", "warehouse/templates.sql",
                     "warehouse/legacy.sql"] {
            do {
                try await warehouse.executeScript(try read(file))
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
        // The procedure commits as it goes, so it runs as a statement of its own (simple protocol).
        let tenants = "ARRAY[" + configuration.tenants.map { SQL.quoteLiteral($0.schema) }.joined(separator: ",") + "]::text[]"
        let readers = "ARRAY[" + configuration.readerTenants.map(SQL.quoteLiteral).joined(separator: ",") + "]::text[]"
        let called = try await warehouse.executeScript(
            "CALL _wh_demo.build_legacy_warehouse(\(SQL.quoteLiteral(configuration.asOf.description))::date, "
                + "\(configuration.firstYear), \(tenants), \(readers))")
        let summary = try called.first?.decode(String?.self, "summary") ?? "{}"
        return Built(
            configuration: configuration,
            warehouseConnectionString: cluster.connectionString(database: configuration.warehouseDatabase),
            sourceRows: sourceRows, sourceSeconds: sourceSeconds, warehouseSeconds: seconds(clock.now - warehouseStarted),
            summaryJSON: summary)
    }

    /// A duration in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
