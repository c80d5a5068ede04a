import Foundation
import Logging
import Planner
import PostgresClient
import WardenModel

extension PlanExecutor {
    /// Runs view repairs, one transaction each, in order, on a session that already holds the apply
    /// lock (``lockKey``); the run and its steps are recorded in `_wh.warden_runs` and `_wh.warden_steps`
    /// like an apply's.
    ///
    /// Each transaction runs with the short `lock_timeout` of steps that touch live objects and is
    /// retried with backoff on lock timeouts and dropped connections. Nothing is written to
    /// `_wh.warden_applied`: a repair rebuilds what exists, it applies no revision of the templates.
    public static func repair(
        _ repairs: [ViewRepair], configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger,
        lockedSession: PostgresConnection
    ) async throws -> ApplyReport {
        let clock = ContinuousClock()
        let started = clock.now
        let steps = repairs.filter { !$0.isEmpty }.enumerated().map { $1.step(id: $0 + 1) }
        let plan = Plan(
            steps: steps, revision: options.revision, asOf: options.asOf, strategy: options.strategy,
            notes: repairs.flatMap(\.notes))
        try await RunJournal.install(on: lockedSession)
        let journal = Journal(connection: lockedSession)
        let runID = try await journal.startRun(plan: plan, options: options)
        var report = ApplyReport(
            runID: runID, stepsRun: 0, stepsSkipped: 0, phaseSeconds: [:], longestSwapStep: nil, retries: 0, totalSeconds: 0)
        let context = StepContext(
            configuration: configuration, options: options, logger: logger, journal: journal, runID: runID, progress: nil,
            total: steps.count)
        let worker = Worker(context: context)
        do {
            var results: [StepResult] = []
            for step in steps { results.append(try await worker.run(step, phaseTotal: steps.count)) }
            await worker.close()
            report.stepsRun = results.count
            report.retries = results.reduce(0) { $0 + $1.attempts - 1 }
            report.phaseSeconds[.swap] = seconds(clock.now - started)
            if let longest = results.max(by: { $0.seconds < $1.seconds }) { report.longestSwapStep = (longest.id, longest.seconds) }
            report.totalSeconds = seconds(clock.now - started)
            try await journal.finishRun(runID, status: "succeeded", error: nil, report: report)
            return report
        } catch {
            await worker.close()
            try? await journal.finishRun(runID, status: "failed", error: String(describing: error), report: nil)
            throw error
        }
    }
}
