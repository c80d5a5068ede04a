import Drift
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import WardenModel

extension Pipeline {
    /// One reading of the warehouse against the desired state: the drift, and the two plans that
    /// reconcile it (DESIGN.md §6b). The routine (outages put back, due days, rollovers) runs whenever
    /// warden runs; the change (what a new revision asks for) runs in its maintenance windows.
    public struct Observation: Sendable {
        public var drift: DriftReport
        /// Missing public and tenant views, put back first (as `warden repair` does).
        public var repairs: [ViewRepair]
        /// Due days and rollovers; every step ``PlanStep/Work/routine``.
        public var routine: Plan
        /// The rest; every step ``PlanStep/Work/change``.
        public var change: Plan

        /// `kind object` of the drift items the routine reconciles and the change leaves to it.
        public var routineItems: Set<String>
        /// What the tenants' sources said: unreachable ones, days their `readyWhen` holds back.
        public var readiness: SourceReadiness
        /// The desired settings observed against, for messages.
        public var settings: WarehouseSettings

        /// The drift with when each item is fixed: by the routine (now, whatever the windows) or by the
        /// change's phases under `schedule` at `now`.
        public func annotatedDrift(_ schedule: Schedule, at now: Date) -> DriftReport {
            var change = change
            if !change.isEmpty { change.when = schedule.planSchedule(for: change, at: now) }
            var routine = routinePlan
            if !routine.isEmpty { routine.when = schedule.planSchedule(for: routine, at: now) }
            var report = drift.annotated(by: change)
            for index in report.items.indices where routineItems.contains("\(report.items[index].kind.rawValue) \(report.items[index].object)") {
                let item = report.items[index]
                report.items[index].fix = if let reason = item.tenant.flatMap({ readiness.unreachable[$0] }) {
                    DriftFix(status: .waiting, phase: nil, start: nil, text: "routine: waits for its source, which cannot be reached (\(reason))")
                } else if item.kind == .dayWaiting {
                    DriftFix(status: .waiting, phase: nil, start: nil, text: "routine: built on the first pass after readyWhen turns true")
                } else {
                    routine.fix(of: item)
                }
            }
            return report
        }

        /// Nothing to run, routine or change.
        public var isEmpty: Bool { repairs.isEmpty && routine.isEmpty && change.isEmpty }
        /// Whether routine work is due.
        public var hasRoutine: Bool { !repairs.isEmpty || !routine.isEmpty }
        /// The routine steps as people read them: the repairs first, then the plan's steps, numbered.
        public var routineSteps: [PlanStep] {
            var steps = repairs.enumerated().map { $1.step(id: $0 + 1) }
            for var step in routine.steps {
                step.id = steps.count + 1
                steps.append(step)
            }
            for index in steps.indices { steps[index].work = .routine }
            return steps
        }
        /// The routine as one plan, for text and JSON: the repairs as swap steps before the day builds' swap.
        public var routinePlan: Plan {
            var plan = Plan(
                steps: routineSteps.sorted { ($0.phase, $0.id) < ($1.phase, $1.id) }, revision: routine.revision,
                asOf: routine.asOf, strategy: routine.strategy, notes: repairs.flatMap(\.notes) + routine.notes)
            for index in plan.steps.indices { plan.steps[index].id = index + 1 }
            return plan
        }
    }

    /// Reads the warehouse behind `connection` and plans the routine and the change (nothing is changed).
    public static func observation(
        _ desired: DesiredWarehouse, on connection: PostgresConnection, asOf: Day, policy: Policy? = nil
    ) async throws -> Observation {
        let live = try await observe(connection)
        let policy = policy ?? desired.settings.policy
        let readiness = await SourceProbes.readiness(desired, live: live, asOf: asOf, on: connection)
        let drift = DriftDetector.detect(desired: desired, live: live, asOf: asOf, readiness: readiness)
        let outages = Planner.outageRepairs(desired: desired, live: live, asOf: asOf)
        let lookback = await dueLookback(desired, live: live, asOf: asOf, on: connection)
        var routine = Planner.planRoutine(
            desired: desired, live: live, drift: drift, asOf: asOf, policy: policy, readiness: readiness, reread: lookback)
        routine.notes = outages.notes + routine.notes
        let changeDrift = Planner.changeDrift(desired: desired, live: live, drift: drift)
        let change = Planner.planChange(desired: desired, live: live, changeDrift: changeDrift, asOf: asOf, policy: policy)
        let history = HistoricalEstimates(try await StepHistory.samples(on: connection))
        let left = Set(changeDrift.items.map { "\($0.kind.rawValue) \($0.object)" })
        return Observation(
            drift: drift.settingAside(progressOf: change), repairs: outages.repairs, routine: history.apply(to: routine),
            change: history.apply(to: change),
            routineItems: Set(drift.items.map { "\($0.kind.rawValue) \($0.object)" }).subtracting(left), readiness: readiness,
            settings: desired.settings)
    }

    /// What one run of the routine did.
    public struct RoutineOutcome: Sendable {
        /// The run that put back missing views, if any were missing.
        public var repair: ApplyReport?
        /// The run that built due days, if any were due.
        public var routine: ApplyReport?

        /// What the sources said under the lock, before the days were built.
        public var readiness = SourceReadiness()

        /// Whether anything ran.
        public var ran: Bool { repair != nil || routine != nil }
        /// Whether a deny window held routine work (`routine.inDenyWindows: hold`).
        public var held: HeldStep? { routine?.held }

        /// "2 views put back · 6 steps applied · prepare 137 ms · … ", for people.
        public var summaryLine: String {
            var parts: [String] = []
            if let repair { parts.append("\(repair.stepsRun) view repair\(repair.stepsRun == 1 ? "" : "s") (run \(repair.runID))") }
            if let routine { parts.append(routine.summaryLine) }
            return parts.joined(separator: " · ")
        }
    }

    /// Runs the routine on `lockedSession`, which holds the apply lock: reads the catalog under the lock,
    /// puts back missing views, reads again and builds the due days. Admitted step by step by
    /// `options.gate`, whose schedule never holds routine steps for an allow window.
    ///
    /// `options.recordsApplied` is turned off: routine work applies no revision.
    public static func runRoutine(
        _ desired: DesiredWarehouse, lockedSession: PostgresConnection, configuration: ConnectionConfiguration, asOf: Day,
        policy: Policy, options: ApplyOptions, logger: Logger, progress: (@Sendable (String) -> Void)?
    ) async throws -> RoutineOutcome {
        var options = options
        options.recordsApplied = false
        options.asOf = asOf
        var outcome = RoutineOutcome()
        var live = try await observe(lockedSession)
        let outages = Planner.outageRepairs(desired: desired, live: live, asOf: asOf)
        if !outages.repairs.isEmpty {
            var repairOptions = options
            repairOptions.reason = options.reason.map { $0 + "; " } ?? ""
            repairOptions.reason! += "routine: put back " + outages.repairs.flatMap { $0.views.map(\.name.description) }.joined(separator: ", ")
            outcome.repair = try await PlanExecutor.repair(
                outages.repairs, configuration: configuration, options: repairOptions, logger: logger, lockedSession: lockedSession)
            live = try await observe(lockedSession)
        }
        outcome.readiness = await SourceProbes.readiness(desired, live: live, asOf: asOf, on: lockedSession)
        let drift = DriftDetector.detect(desired: desired, live: live, asOf: asOf, readiness: outcome.readiness)
        let history = HistoricalEstimates(try await StepHistory.samples(on: lockedSession))
        let lookback = await dueLookback(desired, live: live, asOf: asOf, on: lockedSession)
        let routine = history.apply(to: Planner.planRoutine(
            desired: desired, live: live, drift: drift, asOf: asOf, policy: policy, readiness: outcome.readiness, reread: lookback))
        guard !routine.isEmpty else { return outcome }
        outcome.routine = try await PlanExecutor.apply(
            routine, configuration: configuration, options: options, logger: logger, progress: progress, lockedSession: lockedSession)
        if outcome.held == nil {
            // Each day is re-read once per routine day: the pairs whose source answered are done for `asOf`.
            let done = lookback.keys.filter { key in
                !outcome.readiness.unreachable.keys.contains { key.hasSuffix("/" + $0) }
            }
            try await recordLookback(done, asOf: asOf, on: lockedSession)
        }
        return outcome
    }

    /// The `_wh.warden_meta` key recording the as-of day a `template/tenant` pair was last re-read for.
    static func lookbackKey(_ pair: String) -> String { "routine.lookback:" + pair }

    /// The lookback due at `asOf` (``Routine/lookback(asOf:)``, days still kept as daily views), per
    /// `template/tenant` pair of a live tenant, for the pairs not re-read for `asOf` yet.
    static func dueLookback(
        _ desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day, on connection: PostgresConnection
    ) async -> [String: [Day]] {
        let kept = Set(desired.settings.expectedDays(asOf: asOf))
        let days = desired.settings.routine.lookback(asOf: asOf).filter(kept.contains)
        guard !days.isEmpty else { return [:] }
        var done: [String: String] = [:]
        // Before warden's tables exist nothing was re-read yet.
        if let rows = try? await connection.query(
            "SELECT key, value FROM _wh.warden_meta WHERE key LIKE 'routine.lookback:%'").rows {
            for row in rows {
                if let key = try? row.decode(String.self, at: 0), let value = try? row.decode(String.self, at: 1) { done[key] = value }
            }
        }
        var due: [String: [Day]] = [:]
        for template in desired.templates where live.registry[template.name] != nil {
            for tenant in desired.settings.tenants where live.schemas[tenant.schema] != nil {
                let pair = "\(template.name)/\(tenant.schema)"
                if done[lookbackKey(pair)] != asOf.description { due[pair] = days }
            }
        }
        return due
    }

    /// Records that `pairs` were re-read for `asOf`.
    static func recordLookback(_ pairs: [String], asOf: Day, on connection: PostgresConnection) async throws {
        guard !pairs.isEmpty else { return }
        try await connection.withTransaction { connection in
            for pair in pairs.sorted() {
                try await connection.execute(
                    """
                    INSERT INTO _wh.warden_meta (key, value) VALUES ($1, $2)
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                    """, [lookbackKey(pair), asOf.description])
            }
        }
    }
}
