import Foundation

/// One server session as `pg_stat_activity` shows it: enough to name it in a message and to tell what it
/// is doing (a session blocking a step, a dead run's statement still running).
public struct BackendActivity: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var user: String
    public var applicationName: String
    public var clientAddress: String?
    /// `active`, `idle`, `idle in transaction`, …; `nil` when the session is gone or not visible.
    public var state: String?
    /// Seconds since the state began (for `active`: since the statement started).
    public var stateSeconds: Double?
    /// The session's current or last statement, on one line and cut short.
    public var query: String
    public var backendStart: Date?

    public init(
        pid: Int32, user: String, applicationName: String, clientAddress: String? = nil, state: String?,
        stateSeconds: Double?, query: String, backendStart: Date? = nil
    ) {
        self.pid = pid
        self.user = user
        self.applicationName = applicationName
        self.clientAddress = clientAddress
        self.state = state
        self.stateSeconds = stateSeconds
        self.query = query
        self.backendStart = backendStart
    }

    /// `pid 4978 (user app, application psql, idle in transaction for 42 s)`.
    public var description: String {
        var parts = ["user \(user.isEmpty ? "?" : user)"]
        parts.append("application \(applicationName.isEmpty ? "(none)" : applicationName)")
        if let clientAddress { parts.append("from \(clientAddress)") }
        if let state {
            var text = state
            if let stateSeconds { text += " for \(Self.format(seconds: stateSeconds))" }
            if state == "active", !query.isEmpty { text += ": \(query)" }
            parts.append(text)
        }
        return "pid \(pid) (\(parts.joined(separator: ", ")))"
    }

    /// `0.4 s`, `42 s`, `3 min 5 s`, `2 h 10 min`.
    public static func format(seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", max(0, seconds)) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// The columns ``decode(_:)`` reads, from `pg_stat_activity a`.
    static let columns = """
        a.pid, coalesce(a.usename, '') AS usename, coalesce(a.application_name, '') AS application_name,
        a.client_addr::text AS client_addr, a.state,
        extract(epoch FROM clock_timestamp() - coalesce(a.state_change, a.query_start))::float8 AS state_seconds,
        left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) AS query, a.backend_start
        """

    static func decode(_ row: PostgresRow) throws -> BackendActivity {
        BackendActivity(
            pid: try row.decode(Int32.self, "pid"), user: try row.decode(String.self, "usename"),
            applicationName: try row.decode(String.self, "application_name"),
            clientAddress: try row.decode(String?.self, "client_addr"), state: try row.decode(String?.self, "state"),
            stateSeconds: try row.decode(Double?.self, "state_seconds"), query: try row.decode(String.self, "query"),
            backendStart: try row.decode(Date?.self, "backend_start"))
    }
}

extension PostgresConnection {
    /// The sessions of this database whose `application_name` starts with `prefix`, other than this one.
    public func sessions(applicationNamePrefix prefix: String) async throws -> [BackendActivity] {
        let result = try await query(
            """
            SELECT \(BackendActivity.columns) FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
              AND left(a.application_name, length($1)) = $1
            ORDER BY a.pid
            """, [prefix])
        return try result.rows.map(BackendActivity.decode)
    }

    /// The sessions with these process ids that are still there.
    public func sessions(pids: [Int32]) async throws -> [BackendActivity] {
        guard !pids.isEmpty else { return [] }
        let result = try await query(
            "SELECT \(BackendActivity.columns) FROM pg_stat_activity a WHERE a.pid = ANY ($1::int[]) ORDER BY a.pid",
            [PostgresArrayLiteral.render(pids.map { String($0) })])
        return try result.rows.map(BackendActivity.decode)
    }

    /// The whole current statement of each of these sessions still there (as far as
    /// `track_activity_query_size` keeps it).
    public func statements(pids: [Int32]) async throws -> [Int32: String] {
        guard !pids.isEmpty else { return [:] }
        let result = try await query(
            "SELECT pid, coalesce(query, '') FROM pg_stat_activity WHERE pid = ANY ($1::int[])",
            [PostgresArrayLiteral.render(pids.map { String($0) })])
        var statements: [Int32: String] = [:]
        for row in result.rows { statements[try row.decode(Int32.self, at: 0)] = try row.decode(String.self, at: 1) }
        return statements
    }

    /// The sessions that block session `pid`'s lock wait right now, as `pg_blocking_pids` tells it.
    public func sessionsBlocking(pid: Int32) async throws -> [BackendActivity] {
        let result = try await query(
            "SELECT \(BackendActivity.columns) FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) ORDER BY a.pid",
            [pid])
        return try result.rows.map(BackendActivity.decode)
    }

    /// The other sessions holding a lock on any of these relations (`schema.name`; missing ones are
    /// skipped): who a step that gave up on a lock timeout waited for, once its wait is over.
    public func sessionsLocking(relations: [String]) async throws -> [BackendActivity] {
        guard !relations.isEmpty else { return [] }
        let result = try await query(
            """
            SELECT \(BackendActivity.columns) FROM pg_stat_activity a
            WHERE a.pid <> pg_backend_pid() AND a.pid IN (
                SELECT l.pid FROM pg_locks l
                WHERE l.granted AND l.relation IN (SELECT to_regclass(r) FROM unnest($1::text[]) AS r))
            ORDER BY a.pid
            """, [PostgresArrayLiteral.render(relations)])
        return try result.rows.map(BackendActivity.decode)
    }
}
