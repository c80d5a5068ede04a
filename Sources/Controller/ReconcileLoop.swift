import DesiredState
import Drift
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import Synchronization
import WardenModel

/// The GitOps loop of `warden run` (DESIGN.md §7).
///
/// Each pass is level-triggered: it reads the desired state (fetching the repository when its interval
/// is due or a webhook asked), reads the live catalog, recomputes drift and plan from scratch, and — as
/// the leader, in `apply` mode, not suspended — runs what the maintenance windows allow. An invalid
/// desired state stalls the loop on the last good revision; a database or git failure is retried with
/// backoff and jitter; nothing is ever half-applied by the loop itself (the executor's steps are).
public actor ReconcileLoop {
    public struct Settings: Sendable {
        public var source: DesiredStateSource
        /// How often the repository is fetched.
        public var interval: Duration
        /// How often the live catalog is re-read without a new commit, for out-of-band drift.
        public var resync: Duration
        public var mode: ControllerConfiguration.Mode
        public var database: ConnectionConfiguration
        public var cacheDirectory: String
        /// The wall clock windows are evaluated on: `Date()`, or a rehearsal's `--at TIME` running on.
        public var now: @Sendable () -> Date

        public init(
            source: DesiredStateSource, interval: Duration = .seconds(30), resync: Duration = .seconds(300),
            mode: ControllerConfiguration.Mode = .apply, database: ConnectionConfiguration,
            cacheDirectory: String = DesiredStateSource.defaultCacheDirectory, now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.now = now
            self.source = source
            self.interval = interval
            self.resync = resync
            self.mode = mode
            self.database = database
            self.cacheDirectory = cacheDirectory
        }
    }

    /// What the status endpoints show beyond ``ControllerStatus``.
    struct Observed: Sendable {
        var drift: DriftReport?
        var plan: Plan?
        var phaseTimes: [PlanStep.Phase: Admission] = [:]
        var windowsAhead: [WindowOccurrence] = []
        var evaluatedAt = Date()
    }

    public let settings: Settings
    private let logger: Logger
    private let metrics: WardenMetrics?
    private let notifier: Notifier?
    private let election: LeaderElection
    private var connection: PostgresConnection?
    private var snapshot: DesiredStateSnapshot?
    /// The newest revision read, when it is invalid: the loop stays `stalled` on the last good one.
    private var invalidRevision: String??
    private var desired: DesiredWarehouse?
    public private(set) var state: ControllerStatus
    private var observed = Observed()
    private var blockedBy: String?

    private var nextFetch = ContinuousClock.now
    private var nextResync = ContinuousClock.now
    /// What the last pass that read the catalog without failing left behind (``PassDecision``).
    private var settled: PassDecision.Settled?
    /// When the plan held back by this pass's window may start (the hold lifts then).
    private var heldUntil: Date?
    private var failures = 0
    /// What was logged and notified already: once per change of state (``Announcements``).
    private var announcements = Announcements()
    /// Drift this pass found that is news: notified before the apply starts or the pass ends, with the
    /// phase the controller is then in.
    private var pendingDrift: (items: Int, steps: Int)?
    /// Set by a webhook, `POST /api/v1/reconcile`, or a finished apply: the next pass starts at once.
    private let wake = Mutex<(triggered: Bool, fetch: Bool)>((false, false))
    /// Set on SIGTERM or suspension: no further step starts; the one in flight finishes.
    private let interruption = Interruption()
    private var stopping = false

    public init(settings: Settings, metrics: WardenMetrics?, notifier: Notifier?, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
        self.election = LeaderElection(configuration: settings.database, logger: logger)
        self.state = ControllerStatus.starting(mode: settings.mode, at: Date())
    }

    // MARK: Commands

    /// Starts a pass at once; with `fetch`, fetches the repository first (the git webhook).
    public func trigger(fetch: Bool) {
        wake.withLock { $0 = (true, $0.fetch || fetch) }
    }

    /// Stops after the step in flight (SIGTERM): no new step starts, the lock is released.
    public func stop() {
        stopping = true
        interruption.value.withLock { $0 = "warden is shutting down" }
        wake.withLock { $0.triggered = true }
    }

    /// Suspends reconciliation with a reason, recorded in `_wh.warden_meta` so every replica sees it.
    public func suspend(reason: String) async {
        state.suspended = ControllerStatus.Suspension(reason: reason, since: Date())
        interruption.value.withLock { $0 = "reconciliation suspended: \(reason)" }
        setCondition(.suspended, true, reason: "Suspended", message: reason)
        logger.notice("suspended: \(reason)")
        if let connection {
            _ = try? await RunJournal.install(on: connection)
            _ = try? await connection.execute(
                """
                INSERT INTO _wh.warden_meta (key, value) VALUES ('controller.suspended', $1)
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, [Self.suspensionValue(reason: reason, since: Date())])
        }
        trigger(fetch: false)
    }

    /// Resumes reconciliation.
    public func resume() async {
        state.suspended = nil
        interruption.value.withLock { $0 = stopping ? "warden is shutting down" : nil }
        setCondition(.suspended, false, reason: "Resumed", message: "reconciling")
        logger.notice("resumed")
        if let connection {
            _ = try? await connection.execute("DELETE FROM _wh.warden_meta WHERE key = 'controller.suspended'")
        }
        trigger(fetch: false)
    }

    /// The live connection to the warehouse, if any (for the run history endpoint).
    public func currentConnection() -> PostgresConnection? { connection }

    var observedDrift: DriftReport? { observed.drift }
    var observedPlan: Plan? { observed.plan }
    var observedPhaseTimes: [PlanStep.Phase: Admission] { observed.phaseTimes }
    var observedAt: Date { observed.evaluatedAt }
    var observedWindows: [WindowOccurrence] { observed.windowsAhead }
    var hasDesiredState: Bool { desired != nil }
    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopping }

    // MARK: The loop

    /// Runs passes until ``stop()`` or cancellation; then releases the lead.
    public func run(once: Bool = false) async {
        logger.info("reconciling \(settings.source) every \(settings.interval), resync \(settings.resync), mode \(settings.mode.rawValue)")
        // Leadership is watched apart from the passes: a standby's pass reads the whole catalog (seconds
        // on a large warehouse), and a failover must not wait for it.
        let watcher = once ? nil : Task { [interval = settings.interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await self.watchLeadership()
            }
        }
        while !stopping && !Task.isCancelled {
            await pass()
            if once { break }
            await sleepUntilNextPass()
        }
        watcher?.cancel()
        await watcher?.value
        await election.resign()
        if let connection { await connection.close() }
        connection = nil
        state.leader = false
        metrics?.setLeader(false)
        logger.info("stopped; the apply lock is released")
    }

    private func sleepUntilNextPass() async {
        // Wake when held-back work may start and at the next window opening too: pending swaps run as
        // soon as it opens (DESIGN.md §6).
        let now = ContinuousClock.now
        let sleep = PassDecision.sleep(
            untilFetch: now.duration(to: nextFetch), untilResync: now.duration(to: nextResync),
            backoff: failures == 0 ? nil : Self.backoff(failures: failures, cap: settings.interval),
            heldUntil: settled?.heldUntil, nextOpening: state.nextWindow?.start, now: settings.now())
        let deadline = now + sleep
        while ContinuousClock.now < deadline && !stopping && !Task.isCancelled {
            if wake.withLock({ $0.triggered }) { break }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Between passes, every poll interval: keeps or takes the lead, and when that changes, shows it
    /// at once and starts a pass (a standby that took over reconciles without waiting for its timer).
    private func watchLeadership() async {
        guard !stopping else { return }
        let leader = await election.refresh()
        guard !stopping, leader != state.leader else { return }
        await publishLeadership()
        wake.withLock { $0.triggered = true }
    }

    /// Shows the election's current standing (not the caller's answer, which a later refresh may have
    /// superseded), all of it after the one await: a watcher's and a pass's publishing cannot interleave
    /// into a status that says two things.
    private func publishLeadership() async {
        let (leader, holder) = await election.standing
        state.leader = leader
        metrics?.setLeader(leader)
        setCondition(.leader, leader, reason: leader ? "HoldsLock" : "Standby",
                     message: leader ? "holds the warden.apply advisory lock" : "standing by; the lock is held by \(holder ?? "nobody reachable")")
    }

    /// Exponential backoff with jitter: 1 s, 2 s, 4 s … capped, each scaled by 0.5–1.
    static func backoff(failures: Int, cap: Duration) -> Duration {
        let base = min(Double(cap.components.seconds), pow(2, Double(min(failures - 1, 16))))
        return .milliseconds(Int64(base * 1000 * Double.random(in: 0.5...1)))
    }

    /// One level-triggered pass.
    func pass() async {
        let started = ContinuousClock.now
        let woken = wake.withLock { value -> (Bool, Bool) in
            let woken = (value.triggered, value.fetch)
            value = (false, false)
            return woken
        }
        let now = ContinuousClock.now
        let fetchDue = snapshot == nil || now >= nextFetch || woken.1
        let resyncDue = now >= nextResync

        await election.refresh()
        await publishLeadership()
        let leader = state.leader

        if fetchDue {
            nextFetch = now + settings.interval
            await readDesiredState()
        }
        guard let snapshot else {
            state.phase = .stalled
            finishPass(started, result: "no-desired-state")
            return
        }
        // A poll that found nothing new costs a git read (``PassDecision``): no catalog pass, no log line,
        // no metric.
        guard let why = PassDecision.reason(
            last: settled, revision: snapshot.revision, leader: leader, asked: woken.0, failures: failures,
            resyncDue: resyncDue, now: settings.now())
        else { return }
        logger.debug("reconcile pass: \(why.rawValue)")
        nextResync = now + settings.resync
        heldUntil = nil
        pendingDrift = nil
        var result = "success"
        do {
            if invalidRevision == nil { state.diagnostics = [] }
            result = try await reconcile(snapshot, leader: leader)
            failures = 0
            if invalidRevision != nil {
                state.phase = .stalled
                result = "stalled"
            }
            settled = PassDecision.Settled(revision: snapshot.revision, leader: leader, phase: state.phase, heldUntil: heldUntil)
        } catch let invalid as Pipeline.InvalidDesiredState {
            // Only type problems reach here (the offline load passed): the server does not know a type.
            stall(invalid.diagnostics.map(\.description), revision: snapshot.revision)
            settled = PassDecision.Settled(revision: snapshot.revision, leader: leader, phase: state.phase)
            result = "stalled"
        } catch {
            failures += 1
            let message = String(describing: error)
            if error is PostgresError {
                setCondition(.databaseReachable, false, reason: "DatabaseError", message: message)
                if let connection { await connection.close() }
                connection = nil
            }
            state.phase = .degraded
            logger.error("reconcile pass failed (attempt \(failures), retrying with backoff): \(message)")
            result = "error"
        }
        flushDrift(revision: snapshot.revision)
        if Self.result(result) != .blocked { announcements.holdEnded() }
        finishPass(started, result: result)
    }

    private func finishPass(_ started: ContinuousClock.Instant, result: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let outcome = Self.result(result)
        state.lastReconcile = ControllerStatus.LastReconcile(
            at: Date(), result: outcome, seconds: seconds, driftItems: observed.drift?.items.count ?? 0,
            steps: observed.plan?.steps.count ?? 0)
        updateReady()
        metrics?.reconciled(result: outcome, seconds: seconds)
    }

    /// Reads the repository (fetching a remote); keeps the last good state on failure.
    private func readDesiredState() async {
        let source = settings.source
        let cache = settings.cacheDirectory
        let read = await Task.detached { () -> Result<DesiredStateSnapshot, any Error> in
            Result { try source.read(cacheDirectory: cache) }
        }.value
        switch read {
        case .failure(let error):
            metrics?.gitFetched(result: .failed)
            failures += 1
            setCondition(.gitReachable, false, reason: "FetchFailed", message: String(describing: error))
            logger.error("cannot read the desired state from \(source): \(String(describing: error)); keeping revision \(state.lastGoodRevision.map { String($0.prefix(12)) } ?? "none")")
        case .success(let fresh):
            metrics?.gitFetched(result: fresh.revision != nil && fresh.revision == state.revision ? .unchanged : .updated)
            setCondition(.gitReachable, true, reason: "Fetched", message: "read \(fresh.revision.map { String($0.prefix(12)) } ?? "the folder")")
            state.revision = fresh.revision
            if fresh.revision != nil && fresh.revision == snapshot?.revision && desired != nil { return }
            if let invalidRevision, fresh.revision != nil, fresh.revision == invalidRevision { return }
            do {
                _ = try Pipeline.loadOffline(fresh)
                snapshot = fresh
                invalidRevision = nil
                state.diagnostics = []
                setCondition(.desiredStateValid, true, reason: "Valid", message: "revision \(fresh.revision.map { String($0.prefix(12)) } ?? "folder") is valid")
                logger.info("desired state at \(fresh.revision.map { String($0.prefix(12)) } ?? "folder")")
            } catch let invalid as Pipeline.InvalidDesiredState {
                stall(invalid.diagnostics.map(\.description), revision: fresh.revision)
            } catch {
                stall([String(describing: error)], revision: fresh.revision)
            }
        }
    }

    /// `Ready` from the phase and what the loop holds (``Readiness``): at the end of every pass, and when
    /// a new revision stalls the loop between passes.
    private func updateReady() {
        let ready = Readiness.evaluate(phase: state.phase, desiredLoaded: desired != nil, connected: connection != nil)
        setCondition(.ready, ready.ready, reason: ready.reason, message: ready.message)
    }

    private func stall(_ diagnostics: [String], revision: String?) {
        invalidRevision = .some(revision)
        state.diagnostics = diagnostics
        state.phase = .stalled
        updateReady()
        let short = revision.map { String($0.prefix(12)) } ?? "the folder"
        let kept = state.lastGoodRevision.map { "; keeping \(String($0.prefix(12)))" } ?? ""
        setCondition(.desiredStateValid, false, reason: "Invalid",
                     message: "revision \(short) is invalid (\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s")); fix it and commit again\(kept)")
        logger.error("desired state at \(short) is invalid\(kept): \(diagnostics.joined(separator: " | "))")
    }

    private func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        let opened = try await PostgresConnection.connect(settings.database, logger: logger)
        connection = opened
        return opened
    }

    /// Drift, plan and, when allowed, apply. Returns the pass's result label.
    private func reconcile(_ snapshot: DesiredStateSnapshot, leader: Bool) async throws -> String {
        let connection = try await connected()
        setCondition(.databaseReachable, true, reason: "Connected", message: connection.target)
        let loaded = try await Pipeline.load(snapshot, on: connection).desired!
        desired = loaded
        state.lastGoodRevision = snapshot.revision

        let now = settings.now()
        let asOf = loaded.settings.asOf(at: now)
        let observation = try await Pipeline.observation(loaded, on: connection, asOf: asOf)
        var plan = observation.change
        let drift = observation.drift
        observed.drift = drift
        observed.plan = plan
        observed.evaluatedAt = now
        metrics?.setDrift(items: drift.items)
        setCondition(.inSync, drift.inSync, reason: drift.inSync ? "InSync" : "Drift",
                     message: drift.inSync ? "the warehouse matches the desired state" : "\(drift.items.count) drift item(s), \(plan.steps.count) step(s) planned")
        // Only the leader notifies: two replicas seeing the same drift send one event.
        if drift.inSync {
            announcements.driftEnded()
        } else if leader, announcements.isNewDrift(Self.driftKey(drift, revision: snapshot.revision)) {
            pendingDrift = (drift.items.count, plan.steps.count)
        }

        let schedule = try Schedule(loaded)
        let calendar = try WindowCalendar(loaded.settings.windows)
        observed.windowsAhead = calendar.upcoming(from: now, count: 8)
        let active = calendar.active(at: now)
        metrics?.windowActive(kind: .allow, active.contains { $0.kind == .allow })
        metrics?.windowActive(kind: .deny, active.contains { $0.kind == .deny })
        observed.phaseTimes = plan.isEmpty ? [:] : schedule.phaseTimes(for: plan, at: now)
        if !plan.isEmpty { observed.plan?.when = schedule.planSchedule(for: plan, at: now) }
        // Each drift item says when this plan, or the routine, fixes it (DESIGN.md §4).
        observed.drift = observation.annotatedDrift(schedule, at: now)
        state.nextWindow = (observed.windowsAhead.first { $0.kind == .allow } ?? observed.windowsAhead.first)
            .map { Self.view($0, at: now) }
        blockedBy = nil

        // Suspension is shared by every replica through _wh.warden_meta.
        if let stored = try? await connection.scalar(
            String?.self, "SELECT value FROM _wh.warden_meta WHERE key = 'controller.suspended'") ?? nil {
            let (reason, since) = Self.parseSuspension(stored)
            if state.suspended == nil {
                state.suspended = ControllerStatus.Suspension(reason: reason, since: since)
                interruption.value.withLock { $0 = "reconciliation suspended: \(reason)" }
                setCondition(.suspended, true, reason: "Suspended", message: reason)
            }
        } else if state.suspended != nil, leader {
            state.suspended = nil
            interruption.value.withLock { $0 = stopping ? "warden is shutting down" : nil }
            setCondition(.suspended, false, reason: "Resumed", message: "reconciling")
        } else if state.suspended == nil && state.condition(.suspended)?.status != .false {
            setCondition(.suspended, false, reason: "NotSuspended", message: "reconciling")
        }

        guard leader else {
            state.phase = .standby
            return "standby"
        }
        if let suspended = state.suspended {
            state.phase = .suspended
            blockedBy = "suspended: \(suspended.reason)"
            return "suspended"
        }
        if let regression = plan.asOfRegression {
            // A clock that went back (or a firstYear ahead of it) would hide built history: never acted on.
            let message = (regression.overridable ? "the clock went back: " : "") + regression.sentence(override: nil)
                + "; the controller does nothing until its clock is right"
            state.phase = .stalled
            blockedBy = message
            state.diagnostics = [message]
            setCondition(.inSync, false, reason: "ClockWentBack", message: message)
            if announceHold(Announcements.Hold(revision: snapshot.revision, cause: message), message: message, plan: plan) {
                logger.error("\(message)")
            }
            return "blocked-by-clock"
        }
        var unreachable = observation.readiness.unreachableSentences(loaded.settings)
        if observation.isEmpty && unreachable.isEmpty {
            state.phase = .idle
            state.lastAppliedRevision = snapshot.revision
            return "in-sync"
        }
        if settings.mode == .report {
            state.phase = .idle
            return "report"
        }
        // The routine (outages, due days, rollovers) runs whatever the windows and guards say about the
        // change (DESIGN.md §6b); the change is planned again from what the warehouse is after it.
        if observation.hasRoutine {
            guard let session = await election.lockedSession else {
                state.phase = .standby
                return "standby"
            }
            state.phase = .reconciling
            let routineOptions = applyOptions(
                loaded, reason: "controller: routine as of \(asOf)", revision: snapshot.revision, asOf: asOf, strategy: .shadowSwap,
                schedule: schedule)
            do {
                let outcome = try await Pipeline.runRoutine(
                    loaded, lockedSession: session, configuration: settings.database, asOf: asOf, policy: loaded.settings.policy,
                    options: routineOptions, logger: logger, progress: nil)
                if outcome.ran { logger.notice("routine applied: \(outcome.summaryLine)") }
                unreachable = outcome.readiness.unreachableSentences(loaded.settings)
                if let held = outcome.held {
                    return blockedByWindow(held.admission, plan: observation.routinePlan, revision: snapshot.revision)
                }
            } catch {
                state.phase = .degraded
                notify(.applyFailed, revision: snapshot.revision, message: "routine: \(error)", steps: observation.routineSteps.count)
                throw error
            }
            plan = try await Pipeline.observation(loaded, on: connection, asOf: asOf).change
            if plan.isEmpty && unreachable.isEmpty {
                state.phase = .idle
                trigger(fetch: false)
                return "routine"
            }
        }
        // One tenant's trouble stays that tenant's: the others' days were built; its days, and the change
        // (which reads every source), wait for the next pass.
        if !unreachable.isEmpty {
            for sentence in unreachable { logger.error("\(sentence)") }
            state.phase = .degraded
            state.diagnostics = unreachable
            blockedBy = unreachable.joined(separator: " ")
            return "source-unreachable"
        }
        if let destructive = plan.destructiveSentence, !loaded.settings.policy.allowDestructive {
            let message = "\(destructive); set policy.allowDestructive: true in warehouse.yaml to let the controller run them, or apply by hand with --allow-destructive"
            state.phase = .stalled
            blockedBy = message
            state.diagnostics = [message]
            if announceHold(Announcements.Hold(revision: snapshot.revision, cause: message), message: message, plan: plan) {
                logger.warning("\(message)")
            }
            return "blocked-by-guard"
        }
        if let first = plan.steps.min(by: { $0.id < $1.id }) {
            let admission = schedule.admit(first, at: now)
            if case .run = admission {} else {
                return blockedByWindow(admission, plan: plan, revision: snapshot.revision)
            }
        }

        state.phase = .reconciling
        // Leadership is re-checked here: the watcher may have lost the lock while this pass planned.
        guard let session = await election.lockedSession else {
            state.phase = .standby
            return "standby"
        }
        flushDrift(revision: snapshot.revision)
        notify(.applyStarted, revision: snapshot.revision,
               message: "applying \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s") of revision \(snapshot.revision.map { String($0.prefix(12)) } ?? "folder")",
               driftItems: drift.items.count, steps: plan.steps.count)
        var options = applyOptions(
            loaded, reason: "controller: revision \(snapshot.revision.map { String($0.prefix(12)) } ?? "folder")",
            revision: snapshot.revision, asOf: asOf, strategy: plan.strategy, schedule: schedule)
        options.templateSpecHashes = Self.specHashes(loaded)
        do {
            let report = try await PlanExecutor.apply(
                plan, configuration: settings.database, options: options, logger: logger, progress: nil, lockedSession: session)
            if let longest = report.longestSwapStep { metrics?.swapLockHeld(seconds: longest.seconds) }
            if let held = report.held {
                logger.info("applied in part: \(report.summaryLine)")
                return blockedByWindow(held.admission, plan: plan, revision: snapshot.revision)
            }
            logger.notice("applied: \(report.summaryLine)")
            notify(.applySucceeded, revision: snapshot.revision, message: "applied: \(report.summaryLine)", steps: report.stepsRun,
                   run: report.runID, seconds: report.totalSeconds)
            state.lastAppliedRevision = snapshot.revision
            // Verify at once: the next pass should find the warehouse in sync.
            trigger(fetch: false)
            return "applied"
        } catch {
            state.phase = .degraded
            notify(.applyFailed, revision: snapshot.revision, message: String(describing: error), steps: plan.steps.count)
            throw error
        }
    }

    /// How a pass runs a plan: the policy's parallelism and lock timeout, the windows at the loop's clock,
    /// stopped between steps by shutdown or suspension.
    private func applyOptions(
        _ loaded: DesiredWarehouse, reason: String, revision: String?, asOf: Day, strategy: Policy.Strategy, schedule: Schedule
    ) -> ApplyOptions {
        let flag = interruption
        return ApplyOptions(
            parallelism: loaded.settings.policy.parallelism, lockTimeoutMilliseconds: loaded.settings.policy.lockTimeoutMilliseconds,
            command: "warden run", reason: reason, revision: revision, asOf: asOf, strategy: strategy,
            gate: StepGate(schedule: schedule, now: settings.now, interruption: { flag.value.withLock { $0 } }),
            session: SessionName(command: "run"))
    }

    private func blockedByWindow(_ admission: Admission, plan: Plan, revision: String?) -> String {
        let line = ScheduleText.line(admission, at: settings.now())
        state.phase = interruption.value.withLock({ $0 }) != nil && state.suspended != nil ? .suspended : .blockedByWindow
        blockedBy = line
        if case .wait(_, let window?, _) = admission { state.nextWindow = Self.view(window, at: settings.now()) }
        let hold = Announcements.Hold(admission, revision: revision)
        heldUntil = hold.until
        if announceHold(hold, message: line, plan: plan) { logger.info("\(line)") }
        return "blocked-by-window"
    }

    /// Whether `hold` is news: then the drift found before it and the `blocked` event are sent, and the
    /// caller logs its line once.
    private func announceHold(_ hold: Announcements.Hold, message: String, plan: Plan) -> Bool {
        guard announcements.isNew(hold) else { return false }
        flushDrift(revision: hold.revision)
        notify(.blocked, revision: hold.revision, message: message, driftItems: observed.drift?.items.count, steps: plan.steps.count,
               until: hold.until)
        return true
    }

    /// Sends the drift this pass found, if it is news, with the phase the controller is in now.
    private func flushDrift(revision: String?) {
        guard let drift = pendingDrift else { return }
        pendingDrift = nil
        let message = "\(drift.items) drift item\(drift.items == 1 ? "" : "s"), \(drift.steps) step\(drift.steps == 1 ? "" : "s") planned"
        notify(.drift, revision: revision, message: message, driftItems: drift.items, steps: drift.steps)
    }

    private func notify(
        _ event: Notifier.Event, revision: String?, message: String, driftItems: Int? = nil, steps: Int? = nil,
        run: Int64? = nil, seconds: Double? = nil, until: Date? = nil
    ) {
        guard let notifier else { return }
        notifier.notify(WebhookPayload(
            event: event, at: Date(), host: notifier.host, revision: revision, phase: state.phase, message: message,
            driftItems: driftItems, steps: steps, run: run, seconds: seconds, until: until))
    }

    private func setCondition(_ type: Condition.Kind, _ value: Bool, reason: String, message: String) {
        state.setCondition(type, Condition.Status(value), reason: reason, message: message, at: Date())
    }

    static func view(_ window: WindowOccurrence, at now: Date) -> WindowView {
        WindowView(
            name: window.name, kind: window.kind, start: window.start, end: window.end, active: window.isActive(at: now),
            manualSync: window.manualSync, timeZone: window.timeZone)
    }

    /// The status label of a pass's internal result.
    static func result(_ label: String) -> ReconcileResult {
        switch label {
        case "blocked-by-window", "blocked-by-guard", "blocked-by-clock": .blocked
        case "stalled": .stalled
        case "error", "no-desired-state", "source-unreachable": .failed
        default: .succeeded
        }
    }

    /// Drift is news when its revision or its items (kind and object) change.
    static func driftKey(_ drift: DriftReport, revision: String?) -> String {
        SpecHash.of([revision ?? "folder"] + drift.items.map { "\($0.kind.rawValue) \($0.object)" }.sorted())
    }

    static func specHashes(_ desired: DesiredWarehouse) -> [String: String] {
        var hashes: [String: String] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for template in desired.templates {
            if let data = try? encoder.encode(template) { hashes[template.name] = SpecHash.of([String(decoding: data, as: UTF8.self)]) }
        }
        return hashes
    }

    static func suspensionValue(reason: String, since: Date) -> String {
        let object: [String: String] = ["reason": reason, "since": ISO8601DateFormatter().string(from: since)]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func parseSuspension(_ value: String) -> (String, Date) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: String] else { return (value, Date()) }
        return (object["reason"] ?? "", object["since"].flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date())
    }
}

/// Why no further step may start, shared with the executor's gate (a reference, so a closure can hold it).
final class Interruption: Sendable {
    let value = Mutex<String?>(nil)
}
