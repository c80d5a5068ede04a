import PostgresClient
import WardenModel

extension CatalogReader {
    /// What the server lets warden open now (``ConnectionLimits``): read with every catalog read, for the
    /// plan's note, and again by the executor just before its workers connect.
    public static func connectionLimits(_ connection: PostgresConnection) async throws -> ConnectionLimits {
        let result = try await connection.query(ConnectionLimits.query)
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
}
