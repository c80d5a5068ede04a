import PostgresSyntax

/// The SQL that makes a tenant's connection exist, for drift's remedy and validate's advice.
///
/// warden never creates foreign servers or user mappings itself: they hold credentials, which live in
/// the warehouse, not in the desired state. What only the operator knows is left as `…`.
public enum ForeignServerSetup {
    /// `CREATE SERVER` and its `CREATE USER MAPPING` for the connection `server`, preceded by `CREATE
    /// EXTENSION dblink` when the `dblink_fdw` wrapper does not exist yet, as statements separated by `; `.
    public static func statements(server: String, dblinkInstalled: Bool) -> String {
        var statements: [String] = []
        if !dblinkInstalled { statements.append(createExtension) }
        statements.append(
            "CREATE SERVER \(SQL.identifier(server)) FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '…', port '5432', dbname '…')")
        statements.append(userMapping(server: server))
        return statements.joined(separator: "; ")
    }

    /// The user mapping of `server` for the role warden connects as (run as that role).
    public static func userMapping(server: String) -> String {
        "CREATE USER MAPPING FOR CURRENT_USER SERVER \(SQL.identifier(server)) OPTIONS (user '…', password '…')"
    }

    /// What installs dblink and its `dblink_fdw` wrapper in the warehouse database.
    public static let createExtension = "CREATE EXTENSION dblink"

    /// The wrapper every tenant connection uses.
    public static let wrapper = "dblink_fdw"

    /// Where a server connects, from its options, for a message: `host …, port …, dbname …`. Only these
    /// (and `hostaddr`) are shown; a password never is (it lives in the user mapping anyway).
    public static func location(_ options: [String: String]) -> String {
        var parts: [String] = []
        if let host = options["host"] { parts.append("host \(host)") }
        if let address = options["hostaddr"] { parts.append("hostaddr \(address)") }
        if options["host"] == nil && options["hostaddr"] == nil { parts.append("no host (libpq's default)") }
        parts.append(options["port"].map { "port \($0)" } ?? "no port (libpq's default, 5432)")
        if let dbname = options["dbname"] { parts.append("dbname \(dbname)") }
        return parts.joined(separator: ", ")
    }
}
