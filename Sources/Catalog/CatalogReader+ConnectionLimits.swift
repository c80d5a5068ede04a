import PostgresClient
import WardenModel

extension CatalogReader {
    /// What the server lets warden open now (``ConnectionLimits``): read with every catalog read, for the
    /// plan's note, and again by the executor just before its workers connect.
    public static func connectionLimits(_ connection: PostgresConnection) async throws -> ConnectionLimits {
        let result = try await connection.query(Self.connectionLimitsQuery)
        guard let row = result.first else {
            throw CatalogSession.unexpected("the connection limits query returned no row")
        }
        return ConnectionLimits(
            maxConnections: try row.decode(Int.self, "max_connections"),
            reservedConnections: try row.decode(Int.self, "reserved"),
            inUse: try row.decode(Int.self, "in_use"),
            roleLimit: try row.decode(Int?.self, "role_limit"),
            roleInUse: try row.decode(Int.self, "role_in_use"))
    }

    /// The one query that reads them, on any database of the server.
    static let connectionLimitsQuery = """
        SELECT current_setting('max_connections')::int AS max_connections,
               current_setting('superuser_reserved_connections')::int
                 + coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int AS reserved,
               (SELECT count(*) FROM pg_stat_activity
                 WHERE backend_type = 'client backend' OR (backend_type IS NULL AND usesysid IS NOT NULL))::int AS in_use,
               (SELECT nullif(rolconnlimit, -1) FROM pg_roles WHERE rolname = current_user) AS role_limit,
               (SELECT count(*) FROM pg_stat_activity
                 WHERE backend_type = 'client backend' AND usename = current_user)::int AS role_in_use
        """
}
