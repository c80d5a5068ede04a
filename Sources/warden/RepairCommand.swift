import ArgumentParser
import Controller
import Executor
import Foundation
import Planner
import WardenModel

extension Warden {
    /// `warden repair public-view|tenant-view`: seed 000's emergency procedures, as commands.
    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a dropped or broken public or tenant view back from what exists now, with its grants. Exit 0 done or nothing to repair, 1 refused or error, 3 another warden holds the apply lock.",
            discussion: """
                Seed 000's emergency procedures (_wh.update_public_view_by_template, \
                _wh.update_tenant_union_view_by_template), one transaction per template, under the apply lock, \
                recorded in _wh.warden_runs. A view is only ever dropped in the transaction that creates it again. \
                Maintenance windows do not apply. See docs/REPAIR.md.
                """,
            subcommands: [PublicView.self, TenantView.self])

        /// `warden repair public-view [TEMPLATE…]`.
        struct PublicView: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "public-view",
                abstract: "Rebuild <publicSchema>.<template> over the tenant views that exist, with its grants, owner and stamp.")

            @Argument(help: ArgumentHelp("Templates whose public view to repair; default: every template.", valueName: "TEMPLATE"))
            var templates: [String] = []
            @OptionGroup var options: RepairOptions

            func run() async throws {
                try await options.repair(.publicViews(templates: templates))
            }
        }

        /// `warden repair tenant-view TENANT [TEMPLATE…]`.
        struct TenantView: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "tenant-view",
                abstract: "Rebuild <tenant>.<template> over the tenant's yearly tables and daily views; the public view too when it no longer reads it.")

            @Argument(help: ArgumentHelp("The tenant's schema.", valueName: "TENANT"))
            var tenant: String
            @Argument(help: ArgumentHelp("Templates whose tenant view to repair; default: every template.", valueName: "TEMPLATE"))
            var templates: [String] = []
            @OptionGroup var options: RepairOptions

            func run() async throws {
                try await options.repair(.tenantViews(tenant: tenant, templates: templates))
            }
        }
    }
}

/// The options both repairs share.
struct RepairOptions: ParsableArguments {
    @OptionGroup var source: SourceOptions
    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The warehouse's today (YYYY-MM-DD): daily views before it are members; default: today in the warehouse time zone.", valueName: "DATE"))
    var asOf: String?
    @Option(help: "Why this repair runs; recorded in _wh.warden_runs.")
    var reason: String?
    @Flag(help: "Print the SQL of each repair without running it (exit 2 when something needs repair).")
    var dryRun = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let asOf, Day(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
    }

    /// Plans and runs `request`, printing what it did.
    func repair(_ request: ViewRepair.Request) async throws {
        let logger = output.logger("warden.repair")
        let outcome = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
            do {
                return try await Pipeline.repair(
                    request, source: source.source, database: database.configuration, asOf: asOf.flatMap(Day.init),
                    now: Date(), dryRun: dryRun, command: Warden.Apply.commandLine(), reason: reason, logger: logger)
            } catch let error as ApplyError {
                switch error {
                case .anotherWriter, .lockHolderStuck, .deadRunStillActive:
                    printError(error.description + ". Nothing was changed.")
                    throw ExitCode(3)
                case .stepFailed(let runID, _, _, let object, let attempts, let message):
                    let tries = attempts > 1 ? " after \(attempts) attempts" : ""
                    printError(
                        "the transaction repairing \(object) failed\(tries) and was rolled back, so it changed nothing "
                            + "(run \(runID); repairs after it did not run): \(message)")
                    throw ExitCode(1)
                }
            }
        }
        let pending = outcome.repairs.filter { !$0.isEmpty }
        for repair in outcome.repairs {
            for note in repair.notes { printError(note) }
        }
        if dryRun {
            for repair in pending {
                print("-- \(repair.views.map(\.summary).joined(separator: "\n-- "))")
                print("BEGIN;")
                for statement in repair.statements { print(statement + ";") }
                print("COMMIT;\n")
            }
            if pending.isEmpty { print("nothing to repair") }
            if !pending.isEmpty { throw ExitCode(2) }
            return
        }
        guard let report = outcome.report else {
            print("nothing to repair")
            return
        }
        for repair in pending {
            for view in repair.views { print("repaired \(view.summary)") }
        }
        print("repair: run \(report.runID) · \(report.stepsRun) transaction\(report.stepsRun == 1 ? "" : "s")"
            + (report.retries > 0 ? " · \(report.retries) retr\(report.retries == 1 ? "y" : "ies")" : "")
            + " · \(String(format: "%.0f ms", report.totalSeconds * 1000)) · \(outcome.target)")
    }
}
