import Foundation
import Logging
import Planner
import PostgresClient
import PostgresSyntax

/// The sessions a dead run left behind, stopped before the next run's first step (issue 11).
///
/// A warden killed in the middle of its steps leaves their statements running on the server: the lock
/// session's end frees the lock at once, but a worker inside a dblink call to a tenant's database does
/// not notice its client is gone until the remote query returns (PostgreSQL 15's dblink does not check
/// for interrupts while it waits), and it may still be creating the very view the next run builds.
/// Whoever holds the apply lock is the only writer, so every session that names another run
/// (``SessionName``) is such a leftover. This cancels their remote queries (tagged with the run and the
/// warehouse), terminates them, and waits until they are gone, a bounded time: the next run never races
/// them.
enum DeadRunSessions {
    /// A short key for this warehouse (database name and oid, and the server's start), carried by warden's
    /// sessions in tenants' databases so that a tenant database two warehouses read is never confused.
    static func warehouseKey(_ connection: PostgresConnection) async throws -> String {
        try await connection.scalar(
            String.self,
            """
            SELECT left(md5(current_database() || '/' || d.oid::text || '/' || pg_postmaster_start_time()::text), 8)
            FROM pg_database d WHERE d.datname = current_database()
            """)
    }

    /// The warden sessions of this database that work for a run other than this process's.
    static func find(on connection: PostgresConnection) async throws -> [(session: BackendActivity, name: SessionName)] {
        let me = ProcessInfo.processInfo.processIdentifier
        return try await connection.sessions(applicationNamePrefix: SessionName.prefix).compactMap { session in
            guard let name = SessionName(parsing: session.applicationName), name.runID != nil, name.processID != me
            else { return nil }
            return (session, name)
        }
    }

    /// Stops the dead runs' sessions, or throws ``ApplyError/deadRunStillActive(sessions:waited:)`` once
    /// `wait` is over with some still there. Nothing is changed in the warehouse either way.
    static func clear(
        on connection: PostgresConnection, configuration: ConnectionConfiguration, plan: Plan, warehouse: String,
        wait: Duration, logger: Logger, say: (@Sendable (String) -> Void)?
    ) async throws {
        let found = try await find(on: connection)
        guard !found.isEmpty else { return }
        let runs = Set(found.compactMap(\.name.runID)).sorted()
        let line = "\(found.count) session\(found.count == 1 ? "" : "s") of run\(runs.count == 1 ? "" : "s") "
            + runs.map(String.init).joined(separator: ", ")
            + " left by a warden that went away: " + found.map(\.session.description).joined(separator: "; ")
            + "; stopping \(found.count == 1 ? "it" : "them") before the first step"
        logger.notice("\(line)")
        say?(line)

        // Their queries in the tenants' databases first: a session waiting in dblink ends only once its
        // remote query does.
        let statements = try await connection.statements(pids: found.map(\.session.pid))
        var servers = Set(statements.values.flatMap(servers(in:)))
        if servers.isEmpty { servers = Set(plan.steps.compactMap(\.sourceConnection)) }
        if !servers.isEmpty {
            let pattern = " run=(" + runs.map(String.init).joined(separator: "|") + ")( |$)"
            let cancel = """
                SELECT count(pg_cancel_backend(pid))::int FROM pg_stat_activity
                WHERE application_name LIKE \(SQL.quoteLiteral(SessionName.prefix + "%wh=" + warehouse))
                  AND application_name ~ \(SQL.quoteLiteral(pattern))
                """
            let helper = try await PostgresConnection.connect(configuration, logger: logger)
            for server in servers.sorted() {
                do {
                    let cancelled = try await helper.scalar(
                        Int.self, "SELECT n FROM dblink($1, $2) AS t(n int)", [server, cancel])
                    if cancelled > 0 { logger.info("cancelled \(cancelled) query(ies) of the dead run in \(server)") }
                } catch {
                    logger.info("could not reach \(server) to cancel the dead run's queries there: \(error)")
                }
            }
            await helper.close()
        }
        for entry in found {
            _ = try? await connection.scalar(Bool.self, "SELECT pg_terminate_backend($1)", [entry.session.pid])
        }

        let clock = ContinuousClock()
        let deadline = clock.now + wait
        let pids = found.map(\.session.pid)
        while true {
            let left = try await connection.sessions(pids: pids).filter { session in
                found.contains { $0.session.pid == session.pid && $0.session.applicationName == session.applicationName }
            }
            if left.isEmpty {
                logger.info("the dead run's sessions are gone")
                return
            }
            if clock.now >= deadline {
                throw ApplyError.deadRunStillActive(
                    sessions: left.map(\.description), waited: BackendActivity.format(seconds: PlanExecutor.seconds(wait)))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The foreign servers a statement's `dblink('<server>', …)` calls name.
    static func servers(in query: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"dblink\(\s*'((?:[^']|'')+)'"#) else { return [] }
        return regex.matches(in: query, range: NSRange(query.startIndex..., in: query)).compactMap { match in
            Range(match.range(at: 1), in: query).map { String(query[$0]).replacingOccurrences(of: "''", with: "'") }
        }
    }
}
