import Executor
import Logging
import PostgresClient

/// Leadership among controller replicas (DESIGN.md §7): the leader holds the `warden.apply` advisory
/// lock on a session of its own, the one `warden apply` from the command line also takes, so two
/// writers never act at once. When the leader's session dies (its process killed, the server
/// restarted), PostgreSQL releases the lock and a standby takes it at its next attempt.
public actor LeaderElection {
    private let configuration: ConnectionConfiguration
    private let logger: Logger
    /// The dedicated session; while ``isLeader`` it holds the lock. A standby's session holds nothing:
    /// writers take ``lockedSession``.
    public private(set) var session: PostgresConnection?
    /// The session, only while it holds the lock: what an apply runs on. `nil` on a standby, and while a
    /// new session is opened or tries the lock after the last one was lost.
    public var lockedSession: PostgresConnection? { isLeader ? session : nil }
    /// Whether this replica leads and, if not, who holds the lock, read together.
    public var standing: (isLeader: Bool, holder: String?) { (isLeader, holder) }
    public private(set) var isLeader = false
    /// Who holds the lock when this replica does not, as PostgreSQL reports it.
    public private(set) var holder: String?
    /// Why the last attempt could not reach the database, if it could not.
    public private(set) var lastError: String?

    public init(configuration: ConnectionConfiguration, logger: Logger) {
        var configuration = configuration
        configuration.applicationName = SessionName(command: "run").description
        self.configuration = configuration
        self.logger = logger
    }

    /// The attempt in flight: callers that arrive meanwhile share its answer instead of racing it on
    /// the one session (the controller's leadership watcher and its passes both refresh).
    private var attempt: Task<Bool, Never>?

    /// Keeps or takes the lead: checks that the leader's session is still alive (a live session still
    /// holds its lock), else tries to take the lock. Returns whether this replica leads.
    @discardableResult
    public func refresh() async -> Bool {
        if let attempt { return await attempt.value }
        let task = Task { await self.refreshOnce() }
        attempt = task
        let leads = await task.value
        attempt = nil
        return leads
    }

    private func refreshOnce() async -> Bool {
        if let session, isLeader {
            do {
                _ = try await session.scalar(Int32.self, "SELECT 1")
                return true
            } catch {
                logger.warning("lost the leader session: \(String(describing: error)); standing by until the lock can be taken again")
                await drop()
            }
        }
        do {
            let session: PostgresConnection
            if let existing = self.session {
                session = existing
            } else {
                session = try await PostgresConnection.connect(configuration, logger: logger)
                self.session = session
            }
            if try await session.tryAdvisoryLock(PlanExecutor.lockKey) {
                isLeader = true
                holder = nil
                logger.info("leading: holding the warden.apply lock on \(session.target)")
            } else {
                holder = try await session.advisoryLockHolder(PlanExecutor.lockKey)?.description
                    ?? "a session that has just released it"
            }
            lastError = nil
        } catch {
            lastError = String(describing: error)
            await drop()
        }
        return isLeader
    }

    /// Gives up the lead: releases the lock and closes the session (graceful shutdown).
    public func resign() async {
        if let session, isLeader { _ = try? await session.advisoryUnlock(PlanExecutor.lockKey) }
        await drop()
    }

    private func drop() async {
        if let session { await session.close() }
        session = nil
        isLeader = false
    }
}
