import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import WardenModel

extension Pipeline {
    /// What `warden repair` found and did.
    public struct RepairOutcome: Sendable {
        /// One per template asked for; empty ones changed nothing.
        public var repairs: [ViewRepair]
        /// The run that executed them, or `nil` for a dry run or when nothing needed repair.
        public var report: ApplyReport?
        /// `user@host:port/database`, for messages.
        public var target: String
    }

    /// Seed 000's emergency procedures: reads the desired state, takes the apply lock, reads the live
    /// catalog under it, plans the repairs (``ViewRepair/plan(_:desired:live:asOf:)``) and runs them,
    /// one transaction per template.
    ///
    /// Maintenance windows do not apply: a repair is run by a person to give readers back a view they
    /// cannot read, and it only takes the brief locks of `CREATE OR REPLACE VIEW`.
    ///
    /// - Throws: ``RepairRefusal`` (nothing changed) when a view cannot be built correctly;
    ///   ``ApplyError/anotherWriter(target:holder:)`` when another warden holds the apply lock (a warden
    ///   that went away is waited for, 30 s at most: ``ApplyLock``).
    public static func repair(
        _ request: ViewRepair.Request, source: DesiredStateSource, database: ConnectionConfiguration, asOf: Day?, now: Date,
        dryRun: Bool, command: String, reason: String?, logger: Logger
    ) async throws -> RepairOutcome {
        try await withDesiredState(source, database: database, logger: logger) { desired, connection in
            let day = asOf ?? today(in: desired.settings.timeZone, now: now)
            if !dryRun {
                try await connection.setApplicationName(SessionName(command: "repair").description)
                try await ApplyLock.acquire(on: connection, wait: .seconds(30)) { line in logger.notice("\(line)") }
            }
            do {
                let live = try await observe(connection)
                let repairs = try ViewRepair.plan(request, desired: desired, live: live, asOf: day)
                var report: ApplyReport?
                if !dryRun && repairs.contains(where: { !$0.isEmpty }) {
                    let policy = desired.settings.policy
                    let options = ApplyOptions(
                        parallelism: 1, lockTimeoutMilliseconds: policy.lockTimeoutMilliseconds, command: command, reason: reason,
                        revision: desired.revision, asOf: day, strategy: policy.strategy)
                    report = try await PlanExecutor.repair(
                        repairs, configuration: database, options: options, logger: logger, lockedSession: connection)
                }
                if !dryRun { _ = try? await connection.advisoryUnlock(PlanExecutor.lockKey) }
                return RepairOutcome(repairs: repairs, report: report, target: connection.target)
            } catch {
                if !dryRun { _ = try? await connection.advisoryUnlock(PlanExecutor.lockKey) }
                throw error
            }
        }
    }
}
