import Foundation

/// Who holds an advisory lock: enough for a message that names the other writer.
public struct AdvisoryLockHolder: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var applicationName: String
    public var user: String
    public var clientAddress: String?
    public var backendStart: Date?
    /// What the session is doing (`active`, `idle`, …) and since how many seconds; `nil` if not visible.
    public var state: String?
    public var stateSeconds: Double?
    /// Its current or last statement, on one line and cut short.
    public var query: String = ""

    public init(
        pid: Int32, applicationName: String, user: String, clientAddress: String? = nil, backendStart: Date? = nil,
        state: String? = nil, stateSeconds: Double? = nil, query: String = ""
    ) {
        self.pid = pid
        self.applicationName = applicationName
        self.user = user
        self.clientAddress = clientAddress
        self.backendStart = backendStart
        self.state = state
        self.stateSeconds = stateSeconds
        self.query = query
    }

    /// `warden/apply pid=41 (PostgreSQL backend pid 4567, user …)`: the application name carries the
    /// client's own pid when it is a warden; ``pid`` is the server process serving the session, the one
    /// `pg_terminate_backend` takes, and is named so.
    public var description: String {
        var text = "\(applicationName.isEmpty ? "a session" : applicationName) (PostgreSQL backend pid \(pid), user \(user)"
        if let clientAddress { text += ", from \(clientAddress)" }
        if let backendStart {
            text += ", connected since \(ISO8601DateFormatter().string(from: backendStart))"
        }
        if let state {
            text += ", \(state)"
            if let stateSeconds { text += " for \(BackendActivity.format(seconds: stateSeconds))" }
        }
        return text + ")"
    }
}

extension PostgresConnection {
    /// A stable 64-bit advisory-lock key for a name (FNV-1a), the same in every warden process.
    public static func advisoryLockKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// Takes a session-level advisory lock if it is free; `false` if another session holds it.
    public func tryAdvisoryLock(_ key: Int64) async throws -> Bool {
        try await scalar(Bool.self, "SELECT pg_try_advisory_lock($1::bigint)", [key])
    }

    /// Waits for a session-level advisory lock. Cancelling the task cancels the wait.
    public func advisoryLock(_ key: Int64) async throws {
        try await query("SELECT pg_advisory_lock($1::bigint)", [key])
    }

    /// Releases a session-level advisory lock; `false` if this session did not hold it.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) async throws -> Bool {
        try await scalar(Bool.self, "SELECT pg_advisory_unlock($1::bigint)", [key])
    }

    /// The session holding an advisory lock in this database, if any.
    public func advisoryLockHolder(_ key: Int64) async throws -> AdvisoryLockHolder? {
        let bits = UInt64(bitPattern: key)
        let high = UInt32(truncatingIfNeeded: bits >> 32)
        let low = UInt32(truncatingIfNeeded: bits)
        let pid = try await scalar(
            Int32?.self,
            """
            SELECT (SELECT l.pid FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                      AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    LIMIT 1)
            """, [Int64(high), Int64(low)])
        guard let pid else { return nil }
        guard let session = try await sessions(pids: [pid]).first else {
            // Gone from pg_stat_activity: the session is ending.
            return AdvisoryLockHolder(pid: pid, applicationName: "", user: "?")
        }
        return AdvisoryLockHolder(
            pid: pid, applicationName: session.applicationName, user: session.user, clientAddress: session.clientAddress,
            backendStart: session.backendStart, state: session.state, stateSeconds: session.stateSeconds, query: session.query)
    }
}
