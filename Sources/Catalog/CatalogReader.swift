import PostgresClient
import WardenModel

/// Reads the live warehouse from the system catalogs (DESIGN.md §3, "Catalog").
///
/// A read is a handful of bulk queries over `pg_catalog` in one read-only, repeatable-read snapshot.
/// It never uses `information_schema` (slow on big catalogs, and blind to materialized views) and it
/// never deparses what it can read directly: plain index definitions are rendered from names, daily
/// views' dblink calls are read from their rewrite rules, and only what is left goes through
/// `pg_get_indexdef` / `pg_get_viewdef`. Identical column lists (every daily view of a template has the
/// same) share one array.
public enum CatalogReader {
    /// The live warehouse as `connection` sees it.
    ///
    /// - Throws: `PostgresError` when the server fails a query (it carries the SQLSTATE), or
    ///   ``CatalogError`` when a catalog value has a shape the reader does not understand.
    public static func read(_ connection: PostgresConnection, options: Options = .init()) async throws -> LiveWarehouse {
        try await read([connection], options: options)
    }

    /// The live warehouse, read over several connections to the same database at once.
    ///
    /// The first connection exports its snapshot and the others adopt it (`SET TRANSACTION SNAPSHOT`),
    /// so the answer is as consistent as a read over one connection; the independent bulk queries and
    /// the batches of definitions are spread over the connections, so the server works on them in
    /// parallel. Two connections suit a warehouse of tens of thousands of views; each must be idle and
    /// outside a transaction.
    public static func read(_ connections: [PostgresConnection], options: Options = .init()) async throws -> LiveWarehouse {
        guard let primary = connections.first else {
            throw CatalogError(code: .noConnection, message: "cannot read the catalog without a connection")
        }
        return try await primary.withTransaction { primary in
            try await begin(primary, snapshot: nil)
            let others = Array(connections.dropFirst())
            guard !others.isEmpty else {
                var session = CatalogSession(connections: [primary], options: options)
                return try await session.read()
            }
            let snapshot = try await primary.scalar(String.self, "SELECT pg_export_snapshot()")
            return try await inTransactions(others[...], snapshot: snapshot) {
                var session = CatalogSession(connections: connections, options: options)
                return try await session.read()
            }
        }
    }

    /// Opens a read-only transaction on each connection in turn, all on `snapshot`, and runs `body`
    /// inside all of them.
    static func inTransactions<T>(
        _ connections: ArraySlice<PostgresConnection>, snapshot: String, _ body: () async throws -> T
    ) async throws -> T {
        guard let first = connections.first else { return try await body() }
        return try await first.withTransaction { connection in
            try await begin(connection, snapshot: snapshot)
            return try await inTransactions(connections.dropFirst(), snapshot: snapshot, body)
        }
    }

    /// The first statements of a reader's transaction.
    static func begin(_ connection: PostgresConnection, snapshot: String?) async throws {
        try await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if let snapshot {
            // A snapshot id is hex digits and dashes (`00000003-0000001B-1`); it cannot be a parameter.
            guard !snapshot.isEmpty, snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                throw CatalogError(
                    code: .unexpectedCatalogValue, message: "cannot share the snapshot '\(snapshot)' between connections")
            }
            try await connection.execute("SET TRANSACTION SNAPSHOT '\(snapshot)'")
        }
        // The per-relation aggregates are hashed; keep them in memory. The reader spreads its queries
        // over its own connections, so it asks for no parallel workers on top.
        try await connection.query(
            "SELECT set_config('work_mem', '128MB', true), set_config('max_parallel_workers_per_gather', '0', true)")
    }
}
