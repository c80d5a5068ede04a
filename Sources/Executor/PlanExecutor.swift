import Catalog
import Foundation
import Logging
import Planner
import PostgresClient
import PostgresSyntax
import Scheduler
import Synchronization
import WardenModel

/// How ``PlanExecutor/apply(_:configuration:options:logger:progress:)`` runs a plan.
public struct ApplyOptions: Sendable {
    /// Connections used for the prepare phase.
    public var parallelism: Int
    /// `lock_timeout` for steps that touch nothing readers use.
    public var lockTimeoutMilliseconds: Int
    /// `lock_timeout` for steps that lock objects readers use: tens of milliseconds, then retry.
    public var liveLockTimeoutMilliseconds: Int
    /// The most a live step's doubling `lock_timeout` grows to: how long a reader can queue behind a step
    /// that waits for its lock (plus the step itself). Kept under PostgreSQL's default `deadlock_timeout`
    /// of 1 s and under the 1 s a reader may wait (issue 4).
    public var maxLiveLockTimeoutMilliseconds: Int
    /// Attempts per step (transient failures only) before the run fails. A lock timeout is retried past
    /// it while the window that admits the step lasts (``gate``), as DESIGN.md §5 asks.
    public var maxAttempts: Int
    /// The command line recorded in `_wh.warden_runs.command`.
    public var command: String
    public var reason: String?
    public var revision: String?
    public var asOf: Day
    public var strategy: Policy.Strategy
    /// `_wh.warden_applied.spec_hash` per template; a template missing here gets a hash of its steps' SQL.
    public var templateSpecHashes: [String: String]
    /// First backoff delay after a transient failure, doubled per attempt up to ``maxBackoffMilliseconds``.
    public var initialBackoffMilliseconds: Int
    public var maxBackoffMilliseconds: Int
    /// The maintenance windows every step is admitted through before it starts (DESIGN.md §6); `nil`
    /// runs every step at once.
    public var gate: StepGate?
    /// The name of the run's sessions (``SessionName``): the command and this process.
    public var session: SessionName
    /// How long to wait for a warden that went away: for its lock session to let go of the apply lock
    /// (``ApplyLock``), and for its run's statements to stop (``DeadRunSessions``). Zero refuses at once.
    public var lockWait: Duration
    /// Whether a finished run records its templates as applied at ``revision`` (`_wh.warden_applied`):
    /// false for routine work, which builds days and does not apply a revision.
    public var recordsApplied = true

    public init(
        parallelism: Int = 2, lockTimeoutMilliseconds: Int = 2000, liveLockTimeoutMilliseconds: Int = 50,
        maxLiveLockTimeoutMilliseconds: Int = 500, maxAttempts: Int = 20, command: String, reason: String? = nil, revision: String? = nil, asOf: Day,
        strategy: Policy.Strategy = .shadowSwap, templateSpecHashes: [String: String] = [:],
        initialBackoffMilliseconds: Int = 20, maxBackoffMilliseconds: Int = 1000, gate: StepGate? = nil,
        session: SessionName = SessionName(command: "apply"), lockWait: Duration = .seconds(30)
    ) {
        self.parallelism = max(1, parallelism)
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.liveLockTimeoutMilliseconds = liveLockTimeoutMilliseconds
        self.maxLiveLockTimeoutMilliseconds = maxLiveLockTimeoutMilliseconds
        self.maxAttempts = max(1, maxAttempts)
        self.command = command
        self.reason = reason
        self.revision = revision
        self.asOf = asOf
        self.strategy = strategy
        self.templateSpecHashes = templateSpecHashes
        self.initialBackoffMilliseconds = initialBackoffMilliseconds
        self.maxBackoffMilliseconds = maxBackoffMilliseconds
        self.gate = gate
        self.session = session
        self.lockWait = lockWait
    }
}

/// Admits steps through the maintenance windows at the time each would start: a step in flight always
/// finishes, the next one starts only if the windows allow it then (DESIGN.md §6).
public struct StepGate: Sendable {
    public var schedule: Schedule
    public var override: ManualOverride?
    /// The wall clock: `Date()`, or `--at TIME` plus the time elapsed since the apply began.
    public var now: @Sendable () -> Date
    /// Why no further step may start (a shutdown, a suspension), or `nil`: checked before each step, so
    /// the step in flight finishes and the next one does not start.
    public var interruption: @Sendable () -> String?

    public init(
        schedule: Schedule, override: ManualOverride? = nil, now: @escaping @Sendable () -> Date,
        interruption: @escaping @Sendable () -> String? = { nil }
    ) {
        self.schedule = schedule
        self.override = override
        self.now = now
        self.interruption = interruption
    }

    /// Whether `step` may start now.
    public func admit(_ step: PlanStep) -> Admission {
        if let reason = interruption() { return .wait(until: nil, window: nil, reason: reason) }
        return schedule.admit(step, at: now(), override: override)
    }
}

/// A step the windows held back: the apply stopped before it, and what the scheduler said.
public struct HeldStep: Sendable {
    public var step: PlanStep
    public var admission: Admission
}

/// What an apply did.
public struct ApplyReport: Sendable {
    public var runID: Int64
    public var stepsRun: Int
    public var stepsSkipped: Int
    /// Wall time per phase, in seconds (phases with no steps are absent).
    public var phaseSeconds: [PlanStep.Phase: Double]
    /// The slowest swap step: its id and seconds.
    public var longestSwapStep: (id: Int, seconds: Double)?
    /// Attempts beyond the first, over all steps (lock timeouts and dropped connections retried).
    public var retries: Int
    public var totalSeconds: Double
    /// The first step the windows held back (the apply stopped there), or `nil` when every step ran.
    public var held: HeldStep?
    /// Steps not run because the windows held them back.
    public var stepsPending: Int = 0

    /// One line for people.
    public var summaryLine: String {
        var parts = ["run \(runID): \(stepsRun) step\(stepsRun == 1 ? "" : "s") applied"]
        if stepsSkipped > 0 { parts.append("\(stepsSkipped) skipped") }
        for phase in PlanStep.Phase.allCases {
            if let seconds = phaseSeconds[phase] { parts.append("\(phase.rawValue) \(Self.format(seconds))") }
        }
        if let longest = longestSwapStep { parts.append("longest swap step took \(Self.format(longest.seconds)) (step \(longest.id))") }
        if retries > 0 { parts.append("\(retries) retr\(retries == 1 ? "y" : "ies")") }
        if stepsPending > 0 { parts.append("\(stepsPending) waiting for a window") }
        parts.append("total \(Self.format(totalSeconds))")
        return parts.joined(separator: " · ")
    }

    static func format(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : String(format: "%.1f s", seconds)
    }
}

/// Why an apply stopped.
public enum ApplyError: Error, Sendable, CustomStringConvertible {
    /// Another session holds the `warden.apply` advisory lock.
    case anotherWriter(target: String, holder: String)
    /// The lock's holder looked like a warden that went away, and kept the lock past the wait.
    case lockHolderStuck(target: String, holder: String, pid: Int32, reason: String, waited: String)
    /// Sessions of a dead run were asked to stop and were still running past the wait.
    case deadRunStillActive(sessions: [String], waited: String)
    /// A step failed for good; the steps after it did not run.
    case stepFailed(runID: Int64, step: Int, kind: String, object: String, attempts: Int, message: String)

    /// What to do after the warehouse went away mid-apply (a restart, a failover, a network cut).
    public static let connectionLostAdvice = "nothing is lost: finished steps are kept and recognized by their stamps; "
        + "run the same command again once the server answers, and it resumes where this one stopped (this run is then marked aborted)"

    public var description: String {
        switch self {
        case .anotherWriter(let target, let holder):
            return "another warden is applying to \(target): \(holder); wait for it or stop it"
        case .lockHolderStuck(let target, let holder, let pid, let reason, let waited):
            return "the apply lock on \(target) is still held after \(waited) by \(holder), although its warden seems gone "
                + "(\(reason)); PostgreSQL lets go of it once that statement ends: wait, or stop the session with "
                + "SELECT pg_terminate_backend(\(pid)) and run again"
        case .deadRunStillActive(let sessions, let waited):
            return "sessions left by a warden that went away are still running \(waited) after being asked to stop: "
                + sessions.joined(separator: "; ") + "; wait for them to end (or stop them with pg_terminate_backend) and run again"
        case .stepFailed(let runID, let step, let kind, let object, let attempts, let message):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            let advice = message.hasPrefix("the connection was lost") ? "; " + Self.connectionLostAdvice : ""
            return "step \(step) (\(kind) of \(object)) failed\(tries): \(message) (run \(runID); the remaining steps did not run)\(advice)"
        }
    }
}

/// Runs a plan against the warehouse (DESIGN.md §3, §5): prepare over `parallelism` connections, then
/// swap and cleanup one step at a time, each DDL transaction under a `lock_timeout`, transient failures
/// retried with backoff, every step recorded in `_wh.warden_steps`.
public enum PlanExecutor {
    /// The advisory lock every writer (controller and CLI) takes on a dedicated session (DESIGN.md §7).
    public static let lockName = "warden.apply"
    public static var lockKey: Int64 { PostgresConnection.advisoryLockKey(lockName) }

    /// Runs `plan` under the apply lock.
    ///
    /// - Parameter lockedSession: a session that already holds the apply lock (the controller's leader
    ///   session); the journal is written on it and it stays open and locked afterwards. Without it, the
    ///   apply opens its own session and takes the lock, or throws ``ApplyError/anotherWriter(target:holder:)``.
    public static func apply(
        _ plan: Plan, configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger,
        progress: (@Sendable (String) -> Void)?, lockedSession: PostgresConnection? = nil
    ) async throws -> ApplyReport {
        let clock = ContinuousClock()
        let started = clock.now
        if let lockedSession {
            return try await run(plan, configuration: configuration, options: options, logger: logger,
                                 progress: progress, journal: Journal(connection: lockedSession), started: started, clock: clock)
        }
        return try await withLockedSession(configuration: configuration, options: options, logger: logger, progress: progress) {
            session in
            try await run(plan, configuration: configuration, options: options, logger: logger,
                          progress: progress, journal: Journal(connection: session), started: started, clock: clock)
        }
    }

    /// Opens a session named for `options.session`, takes the apply lock on it (waiting
    /// `options.lockWait` for a warden that went away), runs `body`, then lets go of the lock and closes
    /// the session however `body` ends.
    ///
    /// - Throws: ``ApplyError/anotherWriter(target:holder:)`` when a live writer holds the lock.
    public static func withLockedSession<T>(
        configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger,
        progress: (@Sendable (String) -> Void)?, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var named = configuration
        named.applicationName = options.session.description
        let session = try await PostgresConnection.connect(named, logger: logger)
        do {
            try await ApplyLock.acquire(on: session, wait: options.lockWait) { line in
                if let progress { progress(line) } else { logger.notice("\(line)") }
            }
        } catch {
            await session.close()
            throw error
        }
        do {
            let value = try await body(session)
            _ = try? await session.advisoryUnlock(lockKey)
            await session.close()
            return value
        } catch {
            _ = try? await session.advisoryUnlock(lockKey)
            await session.close()
            throw error
        }
    }

    private static func run(
        _ plan: Plan, configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger,
        progress: (@Sendable (String) -> Void)?, journal: Journal, started: ContinuousClock.Instant,
        clock: ContinuousClock
    ) async throws -> ApplyReport {
        try await RunJournal.install(on: journal.connection)
        // A dead run's statements still running are stopped before anything starts: never raced.
        let warehouse = try await DeadRunSessions.warehouseKey(journal.connection)
        try await DeadRunSessions.clear(
            on: journal.connection, configuration: configuration, plan: plan, warehouse: warehouse, wait: options.lockWait,
            logger: logger, say: progress)
        let orphans = try await journal.abortOrphanedRuns()
        if orphans > 0 { logger.notice("marked \(orphans) run(s) left running by a warden that went away as aborted") }
        let runID = try await journal.startRun(plan: plan, options: options)
        let options = try await cappedParallelism(options, plan: plan, on: journal.connection, logger: logger, progress: progress)
        // Every session of the run names it, here and (through dblink) in the tenants' databases.
        let runName = options.session.with(run: runID)
        // The lock session keeps the name of the last run it worked for (a controller's, between passes).
        _ = try? await journal.connection.setApplicationName(runName.description)
        var runConfiguration = configuration
        runConfiguration.applicationName = runName.description
        var report = ApplyReport(
            runID: runID, stepsRun: 0, stepsSkipped: 0, phaseSeconds: [:], longestSwapStep: nil, retries: 0,
            totalSeconds: 0)
        do {
            let context = StepContext(
                configuration: runConfiguration, options: options, logger: logger, journal: journal, runID: runID,
                progress: progress, total: plan.steps.count, prepare: plan.steps(in: .prepare), plan: plan,
                remoteSessionName: runName.remote(warehouse: warehouse).description)
            for phase in PlanStep.Phase.allCases {
                let steps = plan.steps(in: phase).sorted { $0.id < $1.id }
                guard !steps.isEmpty else { continue }
                let phaseStart = clock.now
                let outcome: PhaseOutcome
                if phase == .prepare && options.parallelism > 1 && steps.count > 1 {
                    outcome = try await runConcurrently(steps, context: context)
                } else if phase == .swap {
                    outcome = try await runSwap(steps, context: context)
                } else {
                    outcome = try await runSerially(steps, context: context)
                }
                let results = outcome.results
                report.phaseSeconds[phase] = seconds(clock.now - phaseStart)
                report.stepsRun += results.count
                report.retries += results.reduce(0) { $0 + $1.attempts - 1 }
                if phase == .swap, let longest = results.max(by: { $0.seconds < $1.seconds }) {
                    report.longestSwapStep = (longest.id, longest.seconds)
                }
                if let held = outcome.held {
                    // A later phase never starts before this one is done: the rest waits for a window.
                    report.held = held
                    report.stepsPending = plan.steps.count - report.stepsRun
                    report.totalSeconds = seconds(clock.now - started)
                    let message = "waiting: step \(held.step.id) (\(held.step.kind.rawValue)) " + Self.describe(held.admission)
                    logger.info("\(message)")
                    try await journal.finishRun(runID, status: "waiting", error: message, report: report)
                    return report
                }
            }
            if options.recordsApplied { try await journal.recordApplied(plan: plan, options: options, runID: runID) }
            report.totalSeconds = seconds(clock.now - started)
            try await journal.finishRun(runID, status: "succeeded", error: nil, report: report)
            return report
        } catch {
            let message = String(describing: error)
            try? await journal.finishRun(runID, status: "failed", error: message, report: nil)
            throw error
        }
    }

    /// `options` with no more prepare workers than the server has connections for now
    /// (``ConnectionLimits/workers(requested:)``, read just before the workers connect), said when it
    /// cuts the number asked for. A plan of one step at a time opens no worker and reads nothing.
    static func cappedParallelism(
        _ options: ApplyOptions, plan: Plan, on connection: PostgresConnection, logger: Logger,
        progress: (@Sendable (String) -> Void)?
    ) async throws -> ApplyOptions {
        guard options.parallelism > 1, plan.opensWorkers else {
            return options
        }
        let limits = try await CatalogReader.connectionLimits(connection)
        var capped = options
        capped.parallelism = limits.workers(requested: options.parallelism)
        if let note = limits.capNote(requested: options.parallelism) {
            if let progress { progress(note) } else { logger.notice("\(note)") }
        }
        return capped
    }

    /// The scheduler's verdict in a few words, for logs and the run record.
    static func describe(_ admission: Admission) -> String {
        switch admission {
        case .run: "may run"
        case .wait(_, _, let reason): reason
        case .refused(let reason): reason
        }
    }

    /// What a phase ran, and the step the windows held back if any.
    struct PhaseOutcome: Sendable {
        var results: [StepResult]
        var held: HeldStep?
    }

    struct StepResult: Sendable {
        var id: Int
        var seconds: Double
        var attempts: Int
    }

    final class StepContext: Sendable {
        let configuration: ConnectionConfiguration
        let options: ApplyOptions
        let logger: Logger
        let journal: Journal
        let runID: Int64
        let progress: (@Sendable (String) -> Void)?
        let total: Int
        let counter = Counter()
        /// Holds a prepare step until the earlier steps of lower waves have finished.
        let barrier: PrepareBarrier
        /// The test hook `WARDEN_TEST_PAUSE_BEFORE` (``TestPause``); `nil` outside tests.
        let testPause = TestPause.fromEnvironment()
        let testPauseCounter = TestPause.Counter()
        /// The windows' view of the rebuild outages: see ``admit(_:)``.
        let outages: RebuildOutages
        /// The `application_name` of the run's dblink sessions in the tenants' databases.
        let remoteSessionName: String?

        init(
            configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger, journal: Journal,
            runID: Int64, progress: (@Sendable (String) -> Void)?, total: Int, prepare: [PlanStep] = [],
            plan: Plan? = nil, remoteSessionName: String? = nil
        ) {
            self.remoteSessionName = remoteSessionName
            self.configuration = configuration
            self.options = options
            self.logger = logger
            self.journal = journal
            self.runID = runID
            self.progress = progress
            self.total = total
            self.barrier = PrepareBarrier(prepare)
            self.outages = RebuildOutages(plan, parallelism: options.parallelism)
        }

        /// Whether `step` may start now (always, without a gate). A rebuild's drop transaction is admitted
        /// with the estimate of its whole outage; once it has started, the steps that end the outage are
        /// no longer held by the windows (only by an interruption): the public view must come back.
        func admit(_ step: PlanStep) -> Admission {
            guard let gate = options.gate else { return .run(deadline: nil) }
            if outages.isInProgress(restoredBy: step) {
                if let reason = gate.interruption() { return .wait(until: nil, window: nil, reason: reason) }
                return .run(deadline: nil)
            }
            let admission = gate.admit(outages.admissionStep(step))
            if case .run = admission { outages.started(step) }
            return admission
        }
    }

    actor Counter {
        private var phaseDone: [PlanStep.Phase: Int] = [:]
        func next(_ phase: PlanStep.Phase) -> Int {
            phaseDone[phase, default: 0] += 1
            return phaseDone[phase]!
        }
    }

    /// Hands out steps in id order to the workers; stops handing out once a step failed.
    actor WorkQueue {
        private var remaining: [PlanStep]
        private(set) var stopped = false
        private let context: StepContext
        /// The first step the windows held back; nothing is handed out after it.
        private(set) var held: HeldStep?
        init(_ steps: [PlanStep], context: StepContext) {
            remaining = steps.reversed()
            self.context = context
        }
        func next() -> PlanStep? {
            guard !stopped, let step = remaining.last else { return nil }
            let admission = context.admit(step)
            guard case .run = admission else {
                held = HeldStep(step: step, admission: admission)
                stopped = true
                return nil
            }
            return remaining.popLast()
        }
        func stop() { stopped = true }
    }

    /// Keeps steps that run alone (``PlanStep/Kind/runsAlone``) alone while the prepare phase runs over
    /// several connections: such a step starts once every step before it (by id) has finished, and a step
    /// starts only once every step that runs alone before it has finished. Workers take steps in id
    /// order, so whoever waits, the step it waits for is already taken: nothing deadlocks.
    actor StepOrder {
        private var unfinished: Set<Int>
        private let alone: [Int]
        private var aborted = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(_ steps: [PlanStep]) {
            unfinished = Set(steps.map(\.id))
            alone = steps.filter(\.kind.runsAlone).map(\.id)
        }

        /// Waits until `step` may start; `false` once a step failed (the phase stops).
        func mayStart(_ step: PlanStep) async -> Bool {
            while !aborted {
                let ready = step.kind.runsAlone
                    ? !unfinished.contains { $0 < step.id }
                    : !alone.contains { $0 < step.id && unfinished.contains($0) }
                if ready { return true }
                await withCheckedContinuation { waiting.append($0) }
            }
            return false
        }

        func finished(_ step: PlanStep) {
            unfinished.remove(step.id)
            wakeWaiting()
        }

        /// A step failed: every waiting step gives up.
        func abort() {
            aborted = true
            wakeWaiting()
        }

        private func wakeWaiting() {
            let woken = waiting
            waiting = []
            for continuation in woken { continuation.resume() }
        }
    }

    /// Prepare: `parallelism` workers, each with its own connection, pulling steps in id order.
    private static func runConcurrently(
        _ steps: [PlanStep], context: StepContext, phaseTotal: Int? = nil
    ) async throws -> PhaseOutcome {
        let queue = WorkQueue(steps, context: context)
        let workers = min(context.options.parallelism, steps.count)
        let phaseTotal = phaseTotal ?? steps.count
        // Steps that run alone wait for the steps before them; the steps after them wait for them.
        let order = StepOrder(steps)
        return try await withThrowingTaskGroup(of: [StepResult].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    let worker = Worker(context: context)
                    var results: [StepResult] = []
                    while let step = await queue.next() {
                        guard await order.mayStart(step) else { break }
                        do {
                            results.append(try await worker.run(step, phaseTotal: phaseTotal))
                            await order.finished(step)
                        } catch {
                            await queue.stop()
                            await order.abort()
                            await worker.close()
                            throw error
                        }
                    }
                    await worker.close()
                    return results
                }
            }
            var all: [StepResult] = []
            var firstError: (any Error)?
            while let next = await group.nextResult() {
                switch next {
                case .success(let results): all += results
                case .failure(let error): if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return PhaseOutcome(results: all.sorted { $0.id < $1.id }, held: await queue.held)
        }
    }

    /// Swap and cleanup (and a one-connection prepare): one step at a time, in id order.
    private static func runSerially(
        _ steps: [PlanStep], context: StepContext, phaseTotal: Int? = nil
    ) async throws -> PhaseOutcome {
        let worker = Worker(context: context)
        var results: [StepResult] = []
        var held: HeldStep?
        do {
            for step in steps {
                let admission = context.admit(step)
                guard case .run = admission else {
                    held = HeldStep(step: step, admission: admission)
                    break
                }
                results.append(try await worker.run(step, phaseTotal: phaseTotal ?? steps.count))
            }
        } catch {
            await worker.close()
            throw error
        }
        await worker.close()
        return PhaseOutcome(results: results, held: held)
    }

    /// Swap: one step at a time, in id order, except a run of daily views the `rebuild` strategy builds
    /// again (``PlanStep/runsInParallelInSwap``), which goes over `parallelism` connections as prepare's
    /// builds do: the views are gone meanwhile, so the outage is as short as the connections allow.
    private static func runSwap(_ steps: [PlanStep], context: StepContext) async throws -> PhaseOutcome {
        var results: [StepResult] = []
        var rest = steps[...]
        while let first = rest.first {
            let parallel = first.runsInParallelInSwap
            let run = Array(rest.prefix { $0.runsInParallelInSwap == parallel })
            rest = rest.dropFirst(run.count)
            let outcome = parallel && context.options.parallelism > 1 && run.count > 1
                ? try await runConcurrently(run, context: context, phaseTotal: steps.count)
                : try await runSerially(run, context: context, phaseTotal: steps.count)
            results += outcome.results
            if outcome.held != nil { return PhaseOutcome(results: results, held: outcome.held) }
        }
        return PhaseOutcome(results: results, held: nil)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }
}

/// One connection running steps, reconnecting when the connection drops.
final class Worker: @unchecked Sendable {
    // Used by one task at a time (a worker belongs to one task of the group).
    private var connection: PostgresConnection?
    private let context: PlanExecutor.StepContext

    init(context: PlanExecutor.StepContext) { self.context = context }

    func close() async {
        if let connection { await connection.close() }
        connection = nil
    }

    /// The foreign server whose dblink connection this session keeps open (``PlanStep/sourceConnection``).
    private var openSource: String?

    private func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        openSource = nil
        let opened = try await PostgresConnection.connect(context.configuration, logger: context.logger)
        connection = opened
        return opened
    }

    /// Runs a step with retries, once the prepare steps it depends on have finished; records it in the
    /// journal.
    func run(_ step: PlanStep, phaseTotal: Int) async throws -> PlanExecutor.StepResult {
        try await context.barrier.wait(for: step)
        if let pause = context.testPause { await pause.before(step, counter: context.testPauseCounter) }
        do {
            let result = try await runAdmitted(step, phaseTotal: phaseTotal)
            await context.barrier.finished(step)
            return result
        } catch {
            await context.barrier.abandon(because: error)
            throw error
        }
    }

    /// Runs a step the barrier let through.
    private func runAdmitted(_ step: PlanStep, phaseTotal: Int) async throws -> PlanExecutor.StepResult {
        let options = context.options
        let journal = context.journal
        let clock = ContinuousClock()
        let start = clock.now
        try await journal.stepStarted(context.runID, step: step.id)
        var attempts = 0
        // For a non-transactional step, the statements before this index are done (each committed).
        var nextStatement = 0
        // Who blocked the last attempt that waited for a lock, as `pg_blocking_pids` told it.
        let blockers = BlockerWatch()
        while true {
            attempts += 1
            let timeout = Duration.milliseconds(PlanExecutor.lockTimeout(for: step, attempt: attempts, options: options))
            do {
                let connection = try await connected()
                let watch = blockers.watch(connection.backendPID, halfway: timeout, on: journal.connection)
                defer { watch.cancel() }
                if let source = step.sourceConnection { await useSource(source, on: connection) }
                if step.transactional {
                    // One round trip per step, not one per statement (a daily view's build is six).
                    try await connection.transactionScript(step.statements, lockTimeout: timeout)
                } else {
                    try await connection.setLockTimeout(timeout)
                    while nextStatement < step.statements.count {
                        try await connection.execute(step.statements[nextStatement])
                        nextStatement += 1
                    }
                }
                break
            } catch let error as PostgresError
                where error.isTransient && (attempts < options.maxAttempts || windowStillOpen(after: error, step)) {
                if Self.isConnectionProblem(error) {
                    if let connection { await connection.close() }
                    connection = nil
                } else if step.sourceConnection != nil {
                    // The remote end may be what failed: the retry connects afresh.
                    await closeSource()
                }
                if !step.transactional, nextStatement < step.statements.count,
                   let index = Self.concurrentIndexBuild(step.statements[nextStatement]) {
                    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index under the name, which
                    // IF NOT EXISTS would then skip: drop that leftover before retrying.
                    try? await dropInvalidIndex(schema: index.schema, name: index.name)
                }
                let delay = Self.backoff(attempt: attempts, options: options)
                context.logger.info(
                    "step \(step.id) attempt \(attempts) failed (\(error.description)); retrying in \(delay) ms")
                try await Task.sleep(for: .milliseconds(delay))
            } catch {
                let elapsed = PlanExecutor.seconds(clock.now - start)
                var message = (error as? PostgresError)?.description ?? String(describing: error)
                if let error = error as? PostgresError, error.sqlState == .lockNotAvailable {
                    message += await blockers.sentence(targets: step.targets, on: journal.connection)
                }
                try? await journal.stepFinished(
                    context.runID, step: step.id, outcome: "failed", attempts: attempts, seconds: elapsed, error: message)
                throw ApplyError.stepFailed(
                    runID: context.runID, step: step.id, kind: step.kind.rawValue,
                    object: step.targets.first ?? step.template ?? "?", attempts: attempts, message: message)
            }
        }
        let elapsed = PlanExecutor.seconds(clock.now - start)
        try await journal.stepFinished(
            context.runID, step: step.id, outcome: "succeeded", attempts: attempts, seconds: elapsed, error: nil)
        let done = await context.counter.next(step.phase)
        if let progress = context.progress {
            var line = "\(step.phase.rawValue) \(done)/\(phaseTotal)"
            if let tenant = step.tenant { line += " · \(tenant)" }
            if let target = step.targets.first {
                line += " · \(target.split(separator: ".").last.map(String.init) ?? target)"
            }
            progress(line)
        }
        return PlanExecutor.StepResult(id: step.id, seconds: elapsed, attempts: attempts)
    }

    /// Opens (once per session and server) the named dblink connection that `dblink('<server>', …)` then
    /// reuses, as the seed's functions do: a daily view's build otherwise starts with a new connection to
    /// the tenant's database (a backend start and authentication per view). Switching servers closes the
    /// previous one, so a session holds one remote connection at most. If the connection cannot be opened
    /// here, the step's own dblink call connects as before and reports the error itself.
    private func useSource(_ server: String, on connection: PostgresConnection) async {
        guard openSource != server else { return }
        await closeSource()
        do {
            _ = try await connection.query(SourceConnection.open(server))
            openSource = server
            if let name = context.remoteSessionName {
                // So that the next run can find, and cancel, this run's queries there if this one dies.
                _ = try? await connection.query(
                    "SELECT dblink_exec($1, $2)", [server, "SET application_name = " + SQL.quoteLiteral(name)])
                // And so that the remote query ends by itself once this session is gone (PostgreSQL 14+).
                _ = try? await connection.query(
                    "SELECT dblink_exec($1, 'SET client_connection_check_interval = 1000')", [server])
            }
        } catch {
            context.logger.debug("dblink connection to \(server) not kept open (\(error)); each view connects itself")
        }
    }

    private func closeSource() async {
        guard let server = openSource, let connection else { return }
        openSource = nil
        _ = try? await connection.query(SourceConnection.close(server))
    }

    /// Whether a lock timeout past ``ApplyOptions/maxAttempts`` is retried: while the window that admits
    /// the step lasts (DESIGN.md §5), since readers that keep a view busy leave it free only for moments,
    /// and each attempt holds them up for one short lock timeout at most. Without a window that ends (no
    /// windows declared, or no gate), the attempts stay bounded.
    private func windowStillOpen(after error: PostgresError, _ step: PlanStep) -> Bool {
        guard error.sqlState == .lockNotAvailable, let gate = context.options.gate,
              case .run(let deadline?) = gate.admit(step)
        else { return false }
        return gate.now() < deadline
    }

    /// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON schema.table` builds
    /// (its schema is the table's); `nil` for other statements or unqualified tables.
    static func concurrentIndexBuild(_ statement: String) -> (schema: String, name: String)? {
        let pattern = #"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+ON\s+(?:ONLY\s+)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\."#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
              let match = regex.firstMatch(in: statement, range: NSRange(statement.startIndex..., in: statement)),
              let nameRange = Range(match.range(at: 1), in: statement),
              let schemaRange = Range(match.range(at: 2), in: statement)
        else { return nil }
        func unquote(_ text: Substring) -> String {
            guard text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else { return text.lowercased() }
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        return (unquote(statement[schemaRange]), unquote(statement[nameRange]))
    }

    private func dropInvalidIndex(schema: String, name: String) async throws {
        let connection = try await connected()
        let invalid = try await connection.scalar(
            Bool.self,
            """
            SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                           JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisvalid)
            """, [schema, name])
        guard invalid else { return }
        try await connection.execute("DROP INDEX CONCURRENTLY IF EXISTS " + Self.quote(schema) + "." + Self.quote(name))
    }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func isConnectionProblem(_ error: PostgresError) -> Bool {
        error.code == .connectionLost || error.code == .connectionFailed || error.code == .connectionClosed
            || error.sqlState?.class == "08" || error.sqlState?.class == "57" && error.sqlState != .queryCanceled
    }

    /// Exponential backoff with jitter: 20 ms, 40 ms, … capped at 1 s, each scaled by 0.5–1.
    static func backoff(attempt: Int, options: ApplyOptions) -> Int {
        let exponent = min(attempt - 1, 20)
        let base = min(options.maxBackoffMilliseconds, options.initialBackoffMilliseconds << exponent)
        return max(1, Int(Double(base) * Double.random(in: 0.5...1.0)))
    }
}

extension PlanExecutor {
    /// The `lock_timeout` of an attempt, in milliseconds. A step on objects readers use starts at
    /// ``ApplyOptions/liveLockTimeoutMilliseconds`` and doubles per failed attempt up to
    /// ``ApplyOptions/maxLiveLockTimeoutMilliseconds`` (and never past the policy's `lockTimeout`). A reader
    /// still running holds its lock until its query ends, so against queries longer than the first timeout
    /// a fixed short timeout rarely wins (measured: 188 attempts over 149 s against a reader of 1 s
    /// queries); a longer one outlasts the query in flight and goes ahead of the readers queued behind it.
    /// The cap bounds how long those readers queue.
    public static func lockTimeout(for step: PlanStep, attempt: Int, options: ApplyOptions) -> Int {
        guard step.touchesLiveObjects else { return options.lockTimeoutMilliseconds }
        let first = max(1, options.liveLockTimeoutMilliseconds)
        let cap = max(first, min(options.lockTimeoutMilliseconds, options.maxLiveLockTimeoutMilliseconds))
        let exponent = min(max(attempt - 1, 0), 20)
        return min(cap, first << exponent)
    }
}

/// Who a step's lock wait waits for: halfway through an attempt's `lock_timeout`, the step's session is
/// looked up in `pg_blocking_pids` from the journal's session, so that a step that gives up can name the
/// session in its way (its pid, user, application, state and for how long) and the fix.
final class BlockerWatch: Sendable {
    private let seen = Mutex<[BackendActivity]>([])

    /// Starts watching session `pid`; cancel the task when the attempt ends.
    func watch(_ pid: Int32, halfway timeout: Duration, on connection: PostgresConnection) -> Task<Void, Never> {
        Task {
            try? await Task.sleep(for: timeout / 2)
            guard !Task.isCancelled else { return }
            // Not cancelled once sent: cancelling a query cancels whatever runs on the shared session.
            let found = await Task { try? await connection.sessionsBlocking(pid: pid) }.value ?? []
            if !found.isEmpty { seen.withLock { $0 = found } }
        }
    }

    /// `; blocked by pid 4978 (…, idle in transaction for 42 s): end its transaction or stop it with …`, or,
    /// if no attempt was seen waiting, the sessions that hold a lock on the step's objects now.
    func sentence(targets: [String], on connection: PostgresConnection) async -> String {
        var sessions = seen.withLock { $0 }
        if sessions.isEmpty { sessions = (try? await connection.sessionsLocking(relations: targets)) ?? [] }
        guard !sessions.isEmpty else { return "" }
        let pids = sessions.map { String($0.pid) }.joined(separator: ", ")
        return "; blocked by " + sessions.map(\.description).joined(separator: "; ")
            + ": end \(sessions.count == 1 ? "that session's" : "those sessions'") transaction, or stop "
            + (sessions.count == 1 ? "it" : "them") + " (SELECT pg_terminate_backend(pid) for pid \(pids)), and run again"
    }
}
