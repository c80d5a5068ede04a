import ArgumentParser
import Controller
import DesiredState
import Executor
import Foundation
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
            let (plan, desired, policy, target, schedule) = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try await Pipeline.withDesiredState(source.source, database: configuration, logger: logger) {
                    desired, connection in
                    var policy = desired.settings.policy
                    if let strategy { policy.strategy = strategy }
                    let plan = try await Pipeline.plan(
                        desired, on: connection, asOf: try asOf.day(timeZone: desired.settings.timeZone), policy: policy
                    ).plan
                    let schedule = try Scheduling.schedule(desired, policy: policy)
                    return (plan, desired, policy, connection.target, schedule)
                }
            }
            let override = now ? ManualOverride(reason: reason ?? "") : nil
            let evaluatedAt = asOf.now
            // The summary (its notes included), then the prompt: the SQL is `warden plan --sql`'s.
            var scheduled = plan
            if !plan.isEmpty { scheduled.when = schedule.planSchedule(for: plan, at: evaluatedAt, override: override) }
            print(scheduled.text(), terminator: "")
            fflush(nil)
            if let regression = plan.asOfRegression, !(regression.overridable && allowMovingBack) {
                printError("refusing to apply: " + regression.refusal + ". Nothing was changed.")
                throw ExitCode(3)
            }
            if plan.isEmpty { return }

            // Nothing starts, and no run is recorded, when the windows hold back the very first step.
            if let first = plan.steps.min(by: { $0.id < $1.id }) {
                // A rebuild's drop transaction needs room for its whole outage (Plan.admissionStep).
                let step = plan.admissionStep(first, parallelism: parallelism ?? policy.parallelism)
                let admission = schedule.admit(step, at: evaluatedAt, override: override)
                if case .run = admission {} else {
                    printError(ScheduleText.line(admission, at: evaluatedAt) + ". Nothing was changed.")
                    throw ExitCode(3)
                }
            }

            if let destructive = plan.destructiveSentence, !policy.allowDestructive && !allowDestructive {
                printError("refusing to apply: \(destructive); set policy.allowDestructive or pass --allow-destructive. Nothing was changed.")
                throw ExitCode(3)
            }
            if !yes {
                guard isatty(STDIN_FILENO) != 0 else {
                    printError("refusing to apply: pass --yes to apply without a terminal. Nothing was changed.")
                    throw ExitCode(3)
                }
                // Prompts and refusals go to standard error, never into the middle of the plan on stdout.
                printError("Apply \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s") to \(target)? [y/N] ", prefixed: false, terminator: "")
                let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                guard answer == "y" || answer == "yes" else {
                    printError("nothing applied")
                    throw ExitCode(3)
                }
            }

            var hashes: [String: String] = [:]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for template in desired.templates {
                if let data = try? encoder.encode(template) { hashes[template.name] = SpecHash.of([String(decoding: data, as: UTF8.self)]) }
            }
            let options = ApplyOptions(
                parallelism: parallelism ?? policy.parallelism, lockTimeoutMilliseconds: policy.lockTimeoutMilliseconds,
                command: Self.commandLine(), reason: reason, revision: plan.revision, asOf: plan.asOf,
                strategy: plan.strategy, templateSpecHashes: hashes,
                gate: StepGate(schedule: schedule, override: override, now: asOf.clock), lockWait: lockWaitDuration)
            let report = try await reportingErrors(verbose: output.verbose) {
                do {
                    return try await PlanExecutor.apply(
                        plan, configuration: configuration, options: options, logger: logger,
                        progress: { line in printError(line, prefixed: false) })
                } catch let error as ApplyError {
                    // Another writer holds the apply lock, or a dead one's leftovers would not stop: a guard,
                    // nothing applied (exit 3).
                    switch error {
                    case .anotherWriter, .lockHolderStuck, .deadRunStillActive: break
                    case .stepFailed: throw error
                    }
                    printError(error.description + ". Nothing was changed.")
                    throw ExitCode(3)
                }
            }
            if let held = report.held {
                print("applied in part: \(report.summaryLine)")
                printError(ScheduleText.line(held.admission, at: asOf.clock()) + " (step \(held.step.id), \(held.step.kind.rawValue)); "
                    + "run warden apply again then, or let the controller do it")
                throw ExitCode(3)
            }
            print("applied: \(report.summaryLine)")
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
