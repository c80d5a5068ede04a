import PostgresClient

/// warden's own tables in `_wh`: the record of every run and step, and the revision applied per template.
///
/// `_wh.warden_steps` is also where estimates come from (DESIGN.md §6): the recorded durations of the
/// same kind of step on similar sizes.
public enum RunJournal {
    /// The version of the tables below; raised, with a migration, whenever they change.
    ///
    /// 2: a run may be `superseded` (a later run re-planned the work it was waiting to do), and
    /// `superseded_by` names that later run.
    public static let schemaVersion = 2

    /// The tables warden keeps, in creation order.
    public static let tables = ["warden_meta", "warden_runs", "warden_steps", "warden_applied"]

    /// What ``install(on:)`` did.
    public struct InstallReport: Sendable, Equatable {
        /// Tables that did not exist and were created (schema-qualified).
        public var created: [String]
        /// True when every table was already there.
        public var wasInstalled: Bool { created.isEmpty }
    }

    /// Creates warden's tables in `_wh` if they are missing. Idempotent and safe to run concurrently:
    /// the creation runs in one transaction under a transaction-level advisory lock.
    @discardableResult
    public static func install(on connection: PostgresConnection) async throws -> InstallReport {
        try await connection.withTransaction { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock($1::bigint)", [PostgresConnection.advisoryLockKey("warden.init")])
            let existing = try await connection.query(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = '_wh' AND c.relkind = 'r' AND c.relname = ANY($1::text[])
                """, [tables])
            let present = Set(try existing.rows.map { try $0.decode(String.self, at: 0) })
            try await connection.executeScript(ddl)
            return InstallReport(created: tables.filter { !present.contains($0) }.map { "_wh.\($0)" })
        }
    }

    /// The DDL, every statement idempotent.
    static let ddl = """
        CREATE SCHEMA IF NOT EXISTS _wh;

        CREATE TABLE IF NOT EXISTS _wh.warden_meta (
            key   text PRIMARY KEY,
            value text NOT NULL
        );
        INSERT INTO _wh.warden_meta (key, value) VALUES ('schema_version', '\(schemaVersion)')
        ON CONFLICT (key) DO NOTHING;

        CREATE TABLE IF NOT EXISTS _wh.warden_runs (
            run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            started_at  timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            command     text NOT NULL,
            revision    text,
            as_of       date,
            strategy    text,
            reason      text,
            actor       text NOT NULL DEFAULT current_user,
            host        text,
            status      text NOT NULL DEFAULT 'running'
                        CONSTRAINT warden_runs_status_check
                        CHECK (status IN ('running', 'succeeded', 'failed', 'waiting', 'refused', 'aborted', 'superseded')),
            error       text,
            summary     jsonb,
            superseded_by bigint
        );
        COMMENT ON TABLE _wh.warden_runs IS 'warden: one row per plan/apply run (warden history)';

        -- Version 1 to 2: the superseded status and its column. Only tables made by version 1 are altered.
        DO $migrate$
        BEGIN
            IF (SELECT value FROM _wh.warden_meta WHERE key = 'schema_version') = '1' THEN
                ALTER TABLE _wh.warden_runs DROP CONSTRAINT IF EXISTS warden_runs_status_check;
                ALTER TABLE _wh.warden_runs ADD CONSTRAINT warden_runs_status_check
                    CHECK (status IN ('running', 'succeeded', 'failed', 'waiting', 'refused', 'aborted', 'superseded'));
                ALTER TABLE _wh.warden_runs ADD COLUMN IF NOT EXISTS superseded_by bigint;
                UPDATE _wh.warden_meta SET value = '2' WHERE key = 'schema_version';
            END IF;
        END
        $migrate$;

        CREATE TABLE IF NOT EXISTS _wh.warden_steps (
            run_id       bigint NOT NULL REFERENCES _wh.warden_runs (run_id) ON DELETE CASCADE,
            step_no      integer NOT NULL,
            phase        text NOT NULL,
            kind         text NOT NULL,
            class        text NOT NULL CHECK (class IN ('online', 'brief-lock', 'blocking', 'destructive')),
            template     text,
            tenant       text,
            target       text,
            sql          text NOT NULL,
            estimate_ms  double precision,
            target_bytes bigint,
            started_at   timestamptz,
            finished_at  timestamptz,
            duration_ms  double precision,
            attempts     integer NOT NULL DEFAULT 0,
            outcome      text NOT NULL DEFAULT 'pending'
                         CHECK (outcome IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
            error        text,
            PRIMARY KEY (run_id, step_no)
        );
        COMMENT ON TABLE _wh.warden_steps IS 'warden: every step of every run, with its SQL, duration and outcome';
        CREATE INDEX IF NOT EXISTS warden_steps_estimates ON _wh.warden_steps (kind, outcome, finished_at DESC);

        CREATE TABLE IF NOT EXISTS _wh.warden_applied (
            template   text PRIMARY KEY,
            revision   text NOT NULL,
            spec_hash  text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            run_id     bigint REFERENCES _wh.warden_runs (run_id) ON DELETE SET NULL
        );
        COMMENT ON TABLE _wh.warden_applied IS 'warden: the revision and spec hash last applied per template';
        """
}
