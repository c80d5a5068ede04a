import PostgresClient
import Planner
import Scheduler

/// Reads the durations recorded in `_wh.warden_steps`, the scheduler's source of estimates.
public enum StepHistory {
    /// The most recent succeeded steps, up to `perKind` per kind; empty when warden's tables do not exist
    /// yet.
    public static func samples(on connection: PostgresConnection, perKind: Int = 200) async throws -> [StepSample] {
        let installed = try await connection.scalar(
            Bool.self, "SELECT to_regclass('_wh.warden_steps') IS NOT NULL")
        guard installed else { return [] }
        let result = try await connection.query(
            """
            SELECT kind, target_bytes::double precision, duration_ms / 1000.0
            FROM (SELECT kind, target_bytes, duration_ms,
                         row_number() OVER (PARTITION BY kind ORDER BY finished_at DESC) AS recent
                  FROM _wh.warden_steps
                  WHERE outcome = 'succeeded' AND duration_ms IS NOT NULL) s
            WHERE recent <= $1
            """, [perKind])
        return try result.rows.compactMap { row in
            guard let kind = PlanStep.Kind(rawValue: try row.decode(String.self, at: 0)) else { return nil }
            return StepSample(
                kind: kind, bytes: try row.decode(Double?.self, at: 1), seconds: try row.decode(Double.self, at: 2))
        }
    }
}
