import PostgresClient
import PostgresSyntax
import WardenModel

/// `warden validate --database`: runs every template's query with `LIMIT 0` on every tenant's database,
/// through the warehouse's dblink foreign server, and compares the result's columns with the template's.
///
/// The query, exactly as apply sends it, becomes `CREATE TEMP VIEW warden_probe AS <query>` on the tenant's
/// side, which gives the exact result types (`format_type`) and reads no rows. The temp view lives in the
/// dblink session only and is dropped; nothing is written to the tenant database.
public enum QueryDryRun {
    /// The outcome for one template on one tenant.
    public struct Check: Sendable, Hashable {
        public var template: String
        public var tenant: String
        public var connection: String
        /// Empty when the query runs and its columns match the template's.
        public var problems: [String]
    }

    public static func run(_ desired: DesiredWarehouse, on connection: PostgresConnection, day: Day? = nil) async throws -> [Check] {
        var checks: [Check] = []
        let probeDay = day ?? Day(year: desired.settings.firstYear, month: 1, day: 1)!
        for template in desired.templates {
            for tenant in desired.settings.tenants {
                var check = Check(template: template.name, tenant: tenant.schema, connection: tenant.connection, problems: [])
                do {
                    let columns = try await resultColumns(
                        of: template.renderedQuery(for: probeDay), through: tenant.connection, on: connection)
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
                checks.append(check)
            }
        }
        return checks
    }

    /// The names and types of a query's result on the far side of a foreign server.
    static func resultColumns(
        of query: String, through server: String, on connection: PostgresConnection
    ) async throws -> [(name: String, type: String)] {
        let link = "warden_probe_\(connection.backendPID)"
        try await connection.query("SELECT dblink_connect($1, $2)", [link, server])
        do {
            // The query as apply sends it, not wrapped: a trailing `;` or `-- comment` that dblink runs
            // fine must not fail here (issue 14). A view is analysed, never run, and has the exact types.
            let create = "CREATE TEMP VIEW warden_probe AS " + query
            try await connection.query("SELECT dblink_exec($1, $2)", [link, create])
            let rows = try await connection.query(
                """
                SELECT name, type FROM dblink($1, $2) AS t(name text, type text)
                """,
                [link,
                 "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                    + "WHERE a.attrelid = 'pg_temp.warden_probe'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"])
            let columns = try rows.map { (try $0.decode(String.self, "name"), try $0.decode(String.self, "type")) }
            _ = try? await connection.query("SELECT dblink_exec($1, 'DROP VIEW pg_temp.warden_probe')", [link])
            _ = try? await connection.query("SELECT dblink_disconnect($1)", [link])
            return columns.map { (name: $0.0, type: $0.1) }
        } catch {
            _ = try? await connection.query("SELECT dblink_disconnect($1)", [link])
            throw error
        }
    }
}
