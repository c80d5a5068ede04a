import PostgresClient
import PostgresSyntax
import WardenModel

/// `warden validate --database`: runs every template's query with `LIMIT 0` on every tenant's database,
/// through the warehouse's dblink foreign server, and compares the result's columns with the template's.
///
/// The query, exactly as apply sends it, becomes `CREATE TEMP VIEW warden_probe AS <query>` on the tenant's
/// side, which gives the exact result types (`format_type`) and reads no rows. The temp view lives in the
/// dblink session only and is dropped; nothing is written to the tenant database.
///
/// What the queries need is checked first, so a missing piece is one sentence that names it and its fix,
/// not a function or connection error per query: the dblink extension, each tenant's foreign server and
/// its user mapping, and that the server answers (with its host and port as configured).
public enum QueryDryRun {
    /// The outcome for one template on one tenant.
    public struct Check: Sendable, Hashable {
        public var template: String
        public var tenant: String
        public var connection: String
        /// Empty when the query runs and its columns match the template's.
        public var problems: [String]
    }

    /// Why a tenant's queries could not be tried: its connection is missing or does not answer.
    public struct ConnectionProblem: Sendable, Hashable {
        public var tenant: String
        public var connection: String
        /// One sentence naming the object and the fix.
        public var problem: String
    }

    /// Everything validate found.
    public struct Report: Sendable {
        /// What the warehouse database itself lacks (dblink); when not empty, no query was tried.
        public var database: [String] = []
        /// Tenants whose connection is missing or broken; their queries were not tried.
        public var connections: [ConnectionProblem] = []
        /// The template × tenant queries that ran.
        public var checks: [Check] = []

        /// Every problem found.
        public var problemCount: Int {
            database.count + connections.count + checks.reduce(0) { $0 + $1.problems.count }
        }
    }

    public static func run(_ desired: DesiredWarehouse, on connection: PostgresConnection, day: Day? = nil) async throws -> Report {
        var report = Report()
        let probeDay = day ?? Day(year: desired.settings.firstYear, month: 1, day: 1)!
        let environment = try await Environment.read(on: connection)
        guard environment.dblinkInstalled else {
            report.database.append(
                "the dblink extension is not installed in database \(environment.database), and every template's "
                    + "query runs through it: run \(ForeignServerSetup.createExtension) there, then create each "
                    + "tenant's foreign server and user mapping")
            return report
        }
        for tenant in desired.settings.tenants {
            let link = "warden_probe_\(connection.backendPID)"
            if let problem = try await open(link, through: tenant.connection, environment: environment, on: connection) {
                report.connections.append(ConnectionProblem(tenant: tenant.schema, connection: tenant.connection, problem: problem))
                continue
            }
            for template in desired.templates {
                var check = Check(template: template.name, tenant: tenant.schema, connection: tenant.connection, problems: [])
                do {
                    let columns = try await resultColumns(of: template.renderedQuery(for: probeDay), link: link, on: connection)
                    if columns.count != template.columns.count {
                        check.problems.append(
                            "the query returns \(columns.count) column(s), the template declares \(template.columns.count)")
                    }
                    for (index, (declared, actual)) in zip(template.columns, columns).enumerated()
                    where declared.type.name != actual.type {
                        check.problems.append(
                            "column \(index + 1) (\(declared.name)) is \(actual.type) (\(actual.name)) on the tenant, the template declares \(declared.type.name)")
                    }
                } catch let error as PostgresError {
                    check.problems.append("the query fails: \(error.message)")
                }
                report.checks.append(check)
            }
            _ = try? await connection.query("SELECT dblink_disconnect($1)", [link])
        }
        return report
    }

    /// Opens the dblink connection `link` through `server`; a sentence naming what is missing or broken,
    /// and its fix, when it cannot be opened.
    static func open(
        _ link: String, through server: String, environment: Environment, on connection: PostgresConnection
    ) async throws -> String? {
        let name = SQL.identifier(server)
        guard let foreign = environment.servers[server] else {
            return "foreign server \(name) does not exist in database \(environment.database): create it, as the "
                + "role warden connects as: \(ForeignServerSetup.statements(server: server, dblinkInstalled: true)); "
                + "warden never stores credentials"
        }
        guard environment.mapped.contains(server) else {
            return "foreign server \(name) has no user mapping for \(environment.role) (or PUBLIC): create it, as "
                + "\(environment.role): \(ForeignServerSetup.userMapping(server: server))"
        }
        do {
            try await connection.query("SELECT dblink_connect($1, $2)", [link, server])
            return nil
        } catch let error as PostgresError where error.code == .queryFailed {
            let said = [error.message, error.detail].compactMap { $0 }.joined(separator: ": ")
            let location = ForeignServerSetup.location(foreign.options)
            let credentials = said.contains("password") || said.contains("authentication") || said.contains("role ")
            let fix = credentials
                ? "correct its user mapping: ALTER USER MAPPING FOR CURRENT_USER SERVER \(name) OPTIONS (SET password '…')"
                : "correct its options: ALTER SERVER \(name) OPTIONS (SET port '…') (ADD for an option not set yet)"
            return "cannot connect through foreign server \(name) (\(location)): \(said); \(fix)"
        }
    }

    /// The names and types of a query's result on the far side of the open dblink connection `link`.
    static func resultColumns(
        of query: String, link: String, on connection: PostgresConnection
    ) async throws -> [(name: String, type: String)] {
        // The query as apply sends it, not wrapped: a trailing `;` or `-- comment` that dblink runs
        // fine must not fail here (issue 14). A view is analysed, never run, and has the exact types.
        let create = "CREATE TEMP VIEW warden_probe AS " + query
        try await connection.query("SELECT dblink_exec($1, $2)", [link, create])
        // Dropped however the read ends: the next template's probe reuses the name on the same link.
        let columns: [(String, String)]
        do {
            let rows = try await connection.query(
                """
                SELECT name, type FROM dblink($1, $2) AS t(name text, type text)
                """,
                [link,
                 "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                    + "WHERE a.attrelid = 'pg_temp.warden_probe'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"])
            columns = try rows.map { (try $0.decode(String.self, "name"), try $0.decode(String.self, "type")) }
        } catch {
            _ = try? await connection.query("SELECT dblink_exec($1, 'DROP VIEW IF EXISTS pg_temp.warden_probe')", [link])
            throw error
        }
        _ = try? await connection.query("SELECT dblink_exec($1, 'DROP VIEW IF EXISTS pg_temp.warden_probe')", [link])
        return columns.map { (name: $0.0, type: $0.1) }
    }
}

extension QueryDryRun {
    /// What the warehouse database offers the dry run: dblink, the foreign servers (with their options,
    /// never a mapping's), and which of them have a user mapping for the current role.
    struct Environment: Sendable {
        var database: String
        var role: String
        var dblinkInstalled: Bool
        var servers: [String: ForeignServer]
        /// Servers with a user mapping for the current role or PUBLIC.
        var mapped: Set<String>

        static func read(on connection: PostgresConnection) async throws -> Environment {
            let facts = try await connection.query(
                """
                SELECT current_database()::text AS database, current_user::text AS role,
                       EXISTS (SELECT FROM pg_extension WHERE extname = 'dblink') AS dblink
                """)
            let row = facts[0]
            // Only the server names: pg_user_mappings.umoptions may hold a password.
            let mapped = try await connection.query(
                "SELECT srvname::text AS name FROM pg_user_mappings WHERE umuser = 0 OR usename = current_user")
            return Environment(
                database: try row.decode(String.self, "database"), role: try row.decode(String.self, "role"),
                dblinkInstalled: try row.decode(Bool.self, "dblink"),
                servers: try await CatalogSession.readForeignServers(connection),
                mapped: Set(try mapped.map { try $0.decode(String.self, "name") }))
        }
    }
}
