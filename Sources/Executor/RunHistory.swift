import PostgresClient

/// One run recorded in `_wh.warden_runs`, with the counts of its steps in `_wh.warden_steps`.
///
/// What `warden history` prints and `GET /api/v1/runs` returns. Every key is always present in the
/// JSON (`null` when empty).
public struct RunRecord: Sendable, Equatable, Codable {
    public var runID: Int64
    /// RFC 3339, UTC.
    public var startedAt: String
    /// RFC 3339, UTC; `nil` while the run is going on (or when its process died).
    public var finishedAt: String?
    /// `apply`, `controller`…: what started the run.
    public var command: String
    public var revision: String?
    /// `YYYY-MM-DD`.
    public var asOf: String?
    public var strategy: String?
    /// `running`, `succeeded`, `failed`, `waiting`, `refused`, `aborted` or `superseded` (a later run,
    /// ``supersededBy``, re-planned the work this one was waiting to do).
    public var status: String
    /// The run that superseded this one, when ``status`` is `superseded`.
    public var supersededBy: Int64?
    /// The reason given with `--now --reason`, or the controller's.
    public var reason: String?
    /// The database role that ran it.
    public var actor: String
    public var host: String?
    public var error: String?
    public var steps: Int
    public var succeeded: Int
    public var failed: Int
    /// Steps not finished: pending or running.
    public var pending: Int
    public var durationSeconds: Double?

    public init(
        runID: Int64, startedAt: String, finishedAt: String? = nil, command: String, revision: String? = nil,
        asOf: String? = nil, strategy: String? = nil, status: String, reason: String? = nil, actor: String,
        host: String? = nil, error: String? = nil, steps: Int = 0, succeeded: Int = 0, failed: Int = 0, pending: Int = 0,
        durationSeconds: Double? = nil, supersededBy: Int64? = nil
    ) {
        self.supersededBy = supersededBy
        self.runID = runID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.command = command
        self.revision = revision
        self.asOf = asOf
        self.strategy = strategy
        self.status = status
        self.reason = reason
        self.actor = actor
        self.host = host
        self.error = error
        self.steps = steps
        self.succeeded = succeeded
        self.failed = failed
        self.pending = pending
        self.durationSeconds = durationSeconds
    }

    enum CodingKeys: String, CodingKey {
        case runID, startedAt, finishedAt, command, revision, asOf, strategy, status, supersededBy, reason, actor, host, error,
             steps, succeeded, failed, pending, durationSeconds
    }

    /// Every key, `null` when empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runID, forKey: .runID)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(command, forKey: .command)
        try container.encode(revision, forKey: .revision)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(strategy, forKey: .strategy)
        try container.encode(status, forKey: .status)
        try container.encode(supersededBy, forKey: .supersededBy)
        try container.encode(reason, forKey: .reason)
        try container.encode(actor, forKey: .actor)
        try container.encode(host, forKey: .host)
        try container.encode(error, forKey: .error)
        try container.encode(steps, forKey: .steps)
        try container.encode(succeeded, forKey: .succeeded)
        try container.encode(failed, forKey: .failed)
        try container.encode(pending, forKey: .pending)
        try container.encode(durationSeconds, forKey: .durationSeconds)
    }
}

/// Reads the run record: the one reader behind `warden history` and `GET /api/v1/runs`.
public enum RunHistory {
    /// The `limit` newest runs, newest first, with their step counts; empty when warden's tables are not
    /// installed yet (`warden init` or the first run creates them).
    public static func recent(limit: Int, on connection: PostgresConnection) async throws -> [RunRecord] {
        let installed = try await connection.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NOT NULL")
        guard installed, limit > 0 else { return [] }
        let result = try await connection.query(
            """
            SELECT r.run_id, to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started,
                   to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished,
                   r.command, r.revision, r.as_of::text AS as_of, r.strategy, r.status,
                   (SELECT (to_jsonb(v) ->> 'superseded_by')::bigint FROM _wh.warden_runs v WHERE v.run_id = r.run_id)
                       AS superseded_by,
                   r.reason, r.actor, r.host, r.error,
                   extract(epoch FROM r.finished_at - r.started_at)::double precision AS seconds,
                   count(s.step_no)::bigint AS steps,
                   count(s.step_no) FILTER (WHERE s.outcome = 'succeeded')::bigint AS succeeded,
                   count(s.step_no) FILTER (WHERE s.outcome = 'failed')::bigint AS failed,
                   count(s.step_no) FILTER (WHERE s.outcome IN ('pending', 'running'))::bigint AS pending
            FROM _wh.warden_runs r LEFT JOIN _wh.warden_steps s ON s.run_id = r.run_id
            GROUP BY r.run_id ORDER BY r.run_id DESC LIMIT $1
            """, [limit])
        return try result.rows.map { row in
            RunRecord(
                runID: try row.decode(Int64.self, "run_id"), startedAt: try row.decode(String.self, "started"),
                finishedAt: try row.decode(String?.self, "finished"), command: try row.decode(String.self, "command"),
                revision: try row.decode(String?.self, "revision"), asOf: try row.decode(String?.self, "as_of"),
                strategy: try row.decode(String?.self, "strategy"), status: try row.decode(String.self, "status"),
                reason: try row.decode(String?.self, "reason"), actor: try row.decode(String.self, "actor"),
                host: try row.decode(String?.self, "host"), error: try row.decode(String?.self, "error"),
                steps: Int(try row.decode(Int64.self, "steps")), succeeded: Int(try row.decode(Int64.self, "succeeded")),
                failed: Int(try row.decode(Int64.self, "failed")), pending: Int(try row.decode(Int64.self, "pending")),
                durationSeconds: try row.decode(Double?.self, "seconds"),
                supersededBy: try row.decode(Int64?.self, "superseded_by"))
        }
    }
}
