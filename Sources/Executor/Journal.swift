import Foundation
import Planner
import PostgresClient
import WardenModel

/// Writes one apply's rows in `_wh.warden_runs`, `_wh.warden_steps` and `_wh.warden_applied`, on the
/// session that holds the apply lock (each statement its own transaction, so the record shows progress).
final class Journal: Sendable {
    let connection: PostgresConnection

    init(connection: PostgresConnection) { self.connection = connection }

    /// Inserts the run (status running) and one pending row per step; returns the run id.
    func startRun(plan: Plan, options: ApplyOptions) async throws -> Int64 {
        try await connection.withTransaction { connection in
            let runID = try await connection.scalar(
                Int64.self,
                """
                INSERT INTO _wh.warden_runs (command, revision, as_of, strategy, reason, host, status, summary)
                VALUES ($1, $2, $3::date, $4, $5, $6, 'running', $7::jsonb) RETURNING run_id
                """,
                [options.command, options.revision ?? plan.revision, options.asOf.description, options.strategy.rawValue,
                 options.reason, ProcessInfo.processInfo.hostName, Self.json(plan.summary)])
            for step in plan.steps {
                try await connection.execute(
                    """
                    INSERT INTO _wh.warden_steps
                        (run_id, step_no, phase, kind, class, template, tenant, target, sql, estimate_ms, target_bytes)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::double precision, $11::double precision::bigint)
                    """,
                    [runID, step.id, step.phase.rawValue, step.kind.rawValue, step.stepClass.rawValue, step.template,
                     step.tenant, step.targets.isEmpty ? nil : step.targets.joined(separator: ", "),
                     step.statements.joined(separator: ";\n") + ";", step.estimateSeconds.map { $0 * 1000 },
                     step.estimateBytes])
            }
            try await supersedeWaitingRuns(by: runID, on: connection)
            return runID
        }
    }

    /// Marks the runs that stopped `waiting` for a window before `runID` as `superseded` by it: each run
    /// plans from scratch, so the steps an older run left pending are this run's to do (or no longer
    /// needed), never that run's. Their pending steps become `skipped`. Runs under the apply lock.
    private func supersedeWaitingRuns(by runID: Int64, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            WITH superseded AS (
                UPDATE _wh.warden_runs SET status = 'superseded', superseded_by = $1
                WHERE status = 'waiting' AND run_id < $1 RETURNING run_id)
            UPDATE _wh.warden_steps SET outcome = 'skipped'
            WHERE outcome = 'pending' AND run_id IN (SELECT run_id FROM superseded)
            """, [runID])
    }

    /// Marks the runs left `running` by a writer that died (killed, crashed, its session cut) as
    /// `aborted`: whoever holds the apply lock is the only writer, so no other run can be in progress.
    @discardableResult
    func abortOrphanedRuns() async throws -> Int {
        try await connection.scalar(
            Int.self,
            """
            WITH aborted AS (
                UPDATE _wh.warden_runs SET status = 'aborted', finished_at = clock_timestamp(),
                    error = 'the warden that ran this stopped before finishing (killed, crashed or disconnected); the next apply completed the work'
                WHERE status = 'running' RETURNING 1)
            SELECT count(*)::int FROM aborted
            """)
    }

    func stepStarted(_ runID: Int64, step: Int) async throws {
        try await connection.execute(
            "UPDATE _wh.warden_steps SET started_at = clock_timestamp(), outcome = 'running' WHERE run_id = $1 AND step_no = $2",
            [runID, step])
    }

    func stepFinished(_ runID: Int64, step: Int, outcome: String, attempts: Int, seconds: Double, error: String?) async throws {
        try await connection.execute(
            """
            UPDATE _wh.warden_steps
            SET finished_at = clock_timestamp(), duration_ms = $3::double precision, attempts = $4, outcome = $5, error = $6
            WHERE run_id = $1 AND step_no = $2
            """, [runID, step, seconds * 1000, attempts, outcome, error])
    }

    func finishRun(_ runID: Int64, status: String, error: String?, report: ApplyReport?) async throws {
        var summary: String?
        if let report {
            var object: [String: Any] = [
                "stepsRun": report.stepsRun, "stepsSkipped": report.stepsSkipped, "retries": report.retries,
                "totalSeconds": report.totalSeconds,
                "phaseSeconds": Dictionary(uniqueKeysWithValues: report.phaseSeconds.map { ($0.key.rawValue, $0.value) }),
            ]
            if let longest = report.longestSwapStep {
                object["longestSwapStep"] = ["id": longest.id, "seconds": longest.seconds]
            }
            summary = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) }
        }
        try await connection.execute(
            """
            UPDATE _wh.warden_runs SET finished_at = clock_timestamp(), status = $2, error = $3,
                summary = coalesce(summary, '{}'::jsonb) || coalesce($4::jsonb, '{}'::jsonb)
            WHERE run_id = $1
            """, [runID, status, error, summary])
    }

    /// Upserts `_wh.warden_applied` for every template the plan touched.
    func recordApplied(plan: Plan, options: ApplyOptions, runID: Int64) async throws {
        let templates = Set(plan.steps.compactMap(\.template)).sorted()
        guard !templates.isEmpty else { return }
        let revision = options.revision ?? plan.revision ?? "working-tree"
        try await connection.withTransaction { connection in
            for template in templates {
                let hash = options.templateSpecHashes[template]
                    ?? SpecHash.of(plan.steps.filter { $0.template == template }.flatMap(\.statements))
                try await connection.execute(
                    """
                    INSERT INTO _wh.warden_applied (template, revision, spec_hash, applied_at, run_id)
                    VALUES ($1, $2, $3, now(), $4)
                    ON CONFLICT (template) DO UPDATE
                    SET revision = EXCLUDED.revision, spec_hash = EXCLUDED.spec_hash, applied_at = EXCLUDED.applied_at,
                        run_id = EXCLUDED.run_id
                    """, [template, revision, hash, runID])
            }
        }
    }

    static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
