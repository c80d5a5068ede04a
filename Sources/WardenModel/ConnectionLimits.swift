/// What the warehouse's server lets warden open, read from its settings and `pg_stat_activity`, and the
/// one rule that turns `policy.parallelism` into the connections an apply really opens (DESIGN.md §5).
///
/// Each prepare worker holds a warehouse session and, while it builds a daily view, a dblink session to
/// the tenant's source, which may be on the same server: a worker counts as two connections. What is
/// left for warden is the server's `max_connections` less the slots reserved for superusers (and, from
/// PostgreSQL 16, `reserved_connections`), less the sessions open now, less a reserve for the readers
/// who arrive during the apply (a tenth of the limit, at least 2), less one for warden's own lock
/// session. A role `CONNECTION LIMIT` bounds the same way. At least one worker always runs.
public struct ConnectionLimits: Sendable, Hashable, Codable {
    /// `max_connections`.
    public var maxConnections: Int
    /// `superuser_reserved_connections` plus `reserved_connections` (0 before PostgreSQL 16).
    public var reservedConnections: Int
    /// Client sessions open on the server now (every database), warden's own among them. A role without
    /// `pg_read_all_stats` sees other roles' sessions with no `backend_type`; those are counted too (an
    /// autovacuum worker among them makes the count a little high, never low).
    public var inUse: Int
    /// The role's `CONNECTION LIMIT`, when it has one, and the sessions it holds now.
    public var roleLimit: Int?
    public var roleInUse: Int

    public init(maxConnections: Int, reservedConnections: Int, inUse: Int, roleLimit: Int? = nil, roleInUse: Int = 0) {
        self.maxConnections = maxConnections
        self.reservedConnections = reservedConnections
        self.inUse = inUse
        self.roleLimit = roleLimit
        self.roleInUse = roleInUse
    }

    /// Connections each prepare worker may hold: its warehouse session and a dblink session.
    public static let connectionsPerWorker = 2

    /// Connections kept free for readers: a tenth of what the server allows clients, at least 2.
    public var readerReserve: Int { max(2, (maxConnections - reservedConnections) / 10) }

    /// Connections warden may still open (its lock session already counted in `inUse` or kept aside).
    public var available: Int {
        var free = maxConnections - reservedConnections - inUse - readerReserve - 1
        if let roleLimit { free = min(free, roleLimit - roleInUse - 1) }
        return max(0, free)
    }

    /// The prepare workers an apply runs for `requested` (`policy.parallelism` or `--parallelism`).
    public func workers(requested: Int) -> Int {
        max(1, min(requested, available / Self.connectionsPerWorker))
    }

    /// One sentence when `requested` is more than the server allows, for the plan's notes and the apply's
    /// log; `nil` when it fits.
    public func capNote(requested: Int) -> String? {
        let workers = workers(requested: requested)
        guard workers < requested else { return nil }
        var parts = ["max_connections \(maxConnections)"]
        if reservedConnections > 0 { parts.append("less \(reservedConnections) reserved for superusers") }
        parts.append("less \(inUse) open now")
        parts.append("less \(readerReserve) kept for readers")
        if let roleLimit { parts.append("and the role's connection limit of \(roleLimit) with \(roleInUse) open") }
        return "parallelism \(requested) is more than the server allows: the apply builds over \(workers) connection"
            + "\(workers == 1 ? "" : "s") (\(parts.joined(separator: ", ")); each build holds a warehouse session "
            + "and a dblink session); raise max_connections or lower policy.parallelism"
    }
}
