import ArgumentParser
import Controller
import DesiredState
import Drift
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import WardenModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Warden {
    /// `warden apply`: compute the plan like `warden plan`, then run it.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile the drift: print the plan, then run it (prepare, swap, cleanup) under the apply lock. Exit 0 done or nothing to do, 1 error, 3 refused (nothing applied).")

        @OptionGroup var source: SourceOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOptions
        @Flag(name: [.customShort("y"), .long], help: "Apply without asking (required without a terminal).")
        var yes = false
        @Option(help: "Connections for the prepare phase (default: policy.parallelism).")
        var parallelism: Int?
        @Option(help: "Why this apply runs; recorded in _wh.warden_runs (required with --now).")
        var reason: String?
        @Flag(help: "Run now, outside the maintenance windows (refused in an active deny window without manualSync); needs --reason.")
        var now = false
        @Flag(help: "Allow destructive steps (dropping columns, tenants, history) even if policy.allowDestructive is false.")
        var allowDestructive = false
        @Flag(help: "Apply even though the as-of date is not after the newest built day, so built days and yearly tables leave the views (the warehouse really should move back).")
        var allowMovingBack = false
        @Option(help: "Override policy.strategy for this apply.")
        var strategy: WardenModel.Policy.Strategy?
        @Option(help: ArgumentHelp(
            "How long to wait for a warden that went away (killed, crashed) to let go of the apply lock and for its statements to stop: 30s, 2m; 0 refuses at once, as a live writer always is.",
            valueName: "DURATION"))
        var lockWait = "30s"
        @OptionGroup var output: OutputOptions

        /// `--lock-wait` as a duration (validated).
        var lockWaitDuration: Duration {
            if case .success(let milliseconds) = DurationText.milliseconds(lockWait) { return .milliseconds(max(0, milliseconds)) }
            return .zero
        }

        func validate() throws {
            if let parallelism, parallelism < 1 { throw ValidationError("--parallelism must be at least 1") }
            if lockWait.trimmingCharacters(in: .whitespaces) != "0" {
                guard case .success(let milliseconds) = DurationText.milliseconds(lockWait), milliseconds >= 0 else {
                    throw ValidationError("--lock-wait must be a duration like 30s, 2m or 0, not '\(lockWait)'")
                }
            }
            if now && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--now overrides the maintenance windows and needs --reason \"why\", which is recorded with the run")
            }
        }

        func run() async throws {
            let logger = output.logger("warden.apply")
            let configuration = database.configuration
            let (observation, desired, policy, target, schedule) = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try await Pipeline.withDesiredState(source.source, database: configuration, logger: logger) {
                    desired, connection in
                    let policy = effectivePolicy(desired)
                    let observation = try await Pipeline.observation(
                        desired, on: connection, asOf: try asOf.day(desired.settings), policy: policy)
                    let schedule = try Scheduling.schedule(desired, policy: policy)
                    return (observation, desired, policy, connection.target, schedule)
                }
            }
            let override = now ? ManualOverride(reason: reason ?? "") : nil
            let evaluatedAt = asOf.now
            let plan = observation.change
            let routine = observation.routinePlan
            // The summaries (their notes included), then the prompt: the SQL is `warden plan --sql`'s.
            print(Scheduling.text(routine: routine, change: plan, schedule: schedule, at: evaluatedAt, override: override), terminator: "")
            fflush(nil)
            if let regression = plan.asOfRegression, !(regression.overridable && allowMovingBack) {
                printError("refusing to apply: " + regression.refusal + ". Nothing was changed.")
                throw ExitCode(3)
            }
            if observation.isEmpty {
                try failIfUnreachable(observation.readiness, desired)
                return
            }

            // Why the change does not run now, if it does not: the windows hold back its very first step
            // (nothing of it starts, and no run is recorded), or it is destructive and not allowed.
            let changeRefusal = refusal(of: plan, schedule: schedule, at: evaluatedAt, override: override, policy: policy)
            if let changeRefusal, !observation.hasRoutine {
                printError(changeRefusal + ". Nothing was changed.")
                throw ExitCode(3)
            }
            let stepCount = observation.routineSteps.count + (changeRefusal == nil ? plan.steps.count : 0)
            try confirm("Apply \(stepCount) step\(stepCount == 1 ? "" : "s") to \(target)?", yes: yes, refusing: "apply")

            let options = applyOptions(
                desired, policy: policy, revision: plan.revision, asOf: plan.asOf, strategy: plan.strategy, schedule: schedule, override: override)
            if observation.hasRoutine {
                let outcome = try await runRoutine(desired, policy: policy, asOf: plan.asOf, options: options, logger: logger)
                if let held = outcome.held {
                    print("routine applied in part: \(outcome.summaryLine)")
                    printError(ScheduleText.line(held.admission, at: asOf.clock()) + " (routine step \(held.step.id), \(held.step.kind.rawValue)); "
                        + "run warden apply again then, or let the controller do it")
                    throw ExitCode(3)
                }
                if outcome.ran { print("routine applied: \(outcome.summaryLine)") }
                // One tenant's trouble stays that tenant's: the others' days are built; the change, which
                // reads every source, waits until they all answer.
                try failIfUnreachable(outcome.readiness, desired, changeWaits: !plan.isEmpty)
            } else {
                try failIfUnreachable(observation.readiness, desired, changeWaits: !plan.isEmpty)
            }

            // After routine work, the change is planned again from what the warehouse is now, and admitted
            // again.
            var change = plan
            if observation.hasRoutine {
                change = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                    try await Pipeline.withDesiredState(source.source, database: configuration, logger: logger) { desired, connection in
                        try await Pipeline.observation(desired, on: connection, asOf: plan.asOf, policy: policy).change
                    }
                }
                if change.isEmpty { return }
                if let refusal = refusal(of: change, schedule: schedule, at: asOf.now, override: override, policy: policy) {
                    printError(refusal + "; the routine ran, the change did not")
                    throw ExitCode(3)
                }
            }
            let report = try await applyShowingProgress(
                change, configuration: configuration, options: options, logger: logger, verbose: output.verbose)
            if let held = report.held {
                print("applied in part: \(report.summaryLine)")
                printError(ScheduleText.line(held.admission, at: asOf.clock()) + " (step \(held.step.id), \(held.step.kind.rawValue)); "
                    + "run warden apply again then, or let the controller do it")
                throw ExitCode(3)
            }
            print("applied: \(report.summaryLine)")
        }

        /// Exit 1 with one sentence per tenant whose source cannot be reached, if any.
        func failIfUnreachable(_ readiness: SourceReadiness, _ desired: DesiredWarehouse, changeWaits: Bool = false) throws {
            let sentences = readiness.unreachableSentences(desired.settings)
            guard !sentences.isEmpty else { return }
            for sentence in sentences { printError(sentence) }
            if changeWaits { printError("the change waits until every tenant's source answers") }
            throw ExitCode(1)
        }

        /// Why `change` does not run now, if it does not: the windows hold back its very first step (nothing
        /// of it starts, and no run is recorded), or it is destructive and not allowed.
        func refusal(
            of change: StepPlan, schedule: Schedule, at date: Date, override: ManualOverride?, policy: WardenModel.Policy
        ) -> String? {
            if let first = change.steps.min(by: { $0.id < $1.id }) {
                // A rebuild's drop transaction needs room for its whole outage (Plan.admissionStep).
                let step = change.admissionStep(first, parallelism: parallelism ?? policy.parallelism)
                let admission = schedule.admit(step, at: date, override: override)
                if case .run = admission {} else { return ScheduleText.line(admission, at: date) }
            }
            if let destructive = change.destructiveSentence, !policy.allowDestructive && !allowDestructive {
                return "refusing to apply: \(destructive); set policy.allowDestructive or pass --allow-destructive"
            }
            return nil
        }

        /// The policy of `desired` with `--strategy`.
        func effectivePolicy(_ desired: DesiredWarehouse) -> WardenModel.Policy {
            var policy = desired.settings.policy
            if let strategy { policy.strategy = strategy }
            return policy
        }

        /// How the plan runs: the windows at the clock, the run's record.
        func applyOptions(
            _ desired: DesiredWarehouse, policy: WardenModel.Policy, revision: String?, asOf day: Day, strategy: WardenModel.Policy.Strategy, schedule: Schedule, override: ManualOverride?
        ) -> ApplyOptions {
            var hashes: [String: String] = [:]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for template in desired.templates {
                if let data = try? encoder.encode(template) { hashes[template.name] = SpecHash.of([String(decoding: data, as: UTF8.self)]) }
            }
            return ApplyOptions(
                parallelism: parallelism ?? policy.parallelism, lockTimeoutMilliseconds: policy.lockTimeoutMilliseconds,
                command: Self.commandLine(), reason: reason, revision: revision, asOf: day,
                strategy: strategy, templateSpecHashes: hashes,
                gate: StepGate(schedule: schedule, override: override, now: asOf.clock), lockWait: lockWaitDuration)
        }

        /// Runs the routine under the apply lock, on a session of its own.
        func runRoutine(
            _ desired: DesiredWarehouse, policy: WardenModel.Policy, asOf day: Day, options: ApplyOptions, logger: Logger
        ) async throws -> Pipeline.RoutineOutcome {
            let configuration = database.configuration
            return try await reportingErrors(verbose: output.verbose) {
                try await refusingOnLock {
                    let progress: @Sendable (String) -> Void = { line in printError(line, prefixed: false) }
                    return try await PlanExecutor.withLockedSession(
                        configuration: configuration, options: options, logger: logger, progress: progress
                    ) { session in
                        try await Pipeline.runRoutine(
                            desired, lockedSession: session, configuration: configuration, asOf: day, policy: policy, options: options,
                            logger: logger, progress: progress)
                    }
                }
            }
        }

        /// The command line for the run record, with the connection string left out (it may hold a password).
        static func commandLine() -> String {
            var words = ["warden"]
            var hideNext = false
            for argument in CommandLine.arguments.dropFirst() {
                if hideNext {
                    words.append("…")
                    hideNext = false
                } else if argument == "--database" {
                    words.append(argument)
                    hideNext = true
                } else if argument.hasPrefix("--database=") {
                    words.append("--database=…")
                } else {
                    words.append(argument)
                }
            }
            return words.joined(separator: " ")
        }
    }
}
