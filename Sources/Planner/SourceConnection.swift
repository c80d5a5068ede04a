import PostgresSyntax

/// The named dblink connection to a tenant's database that `dblink('<server>', …)` reuses while it is
/// open in a session (as the seed's functions keep it): one connection per tenant instead of one per
/// daily view. The executor and the migration file open and close it with these statements.
public enum SourceConnection {
    /// Opens the connection named after the foreign server, unless this session has it open already.
    public static func open(_ server: String) -> String {
        let name = SQL.quoteLiteral(server)
        return "SELECT dblink_connect(\(name), \(name)) WHERE NOT (\(name) = ANY (coalesce(dblink_get_connections(), '{}'::text[])))"
    }

    /// Closes it, if open.
    public static func close(_ server: String) -> String {
        let name = SQL.quoteLiteral(server)
        return "SELECT dblink_disconnect(\(name)) WHERE \(name) = ANY (coalesce(dblink_get_connections(), '{}'::text[]))"
    }
}
