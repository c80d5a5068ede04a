import ArgumentParser
import Executor
import Controller
import Foundation
import Logging
import Planner
import PostgresClient
import WardenModel

/// Runs a command's work and turns every failure into what warden prints and its exit code: the
/// desired state's diagnostics (paths shown from `displayPrefix`), or one sentence; exit 1. Exit codes
/// and usage errors pass through.
func reportingErrors<T>(
    verbose: Bool, displayPrefix: String = "", _ work: () async throws -> T
) async throws -> T {
    do {
        return try await work()
    } catch let invalid as Pipeline.InvalidDesiredState {
        for diagnostic in invalid.diagnostics { printError(displayPrefix + diagnostic.description, prefixed: false) }
        printError(invalid.description)
        throw ExitCode(1)
    } catch let exit as ExitCode {
        throw exit
    } catch let validation as ValidationError {
        throw validation
    } catch {
        printError(describe(error, verbose: verbose))
        throw ExitCode(1)
    }
}

/// Writes one line to standard error.
///
/// Standard output is flushed first, so where both go to one pipe (a CI log) a message never lands in the
/// middle of a line of the plan.
func printError(_ message: String, prefixed: Bool = true, terminator: String = "\n") {
    fflush(nil)
    var standardError = StandardError()
    let message = TerminalText.neutralized(message)
    print(prefixed ? "warden: \(message)" : message, terminator: terminator, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

/// Prints an error the way every warden command does: one sentence, the SQL only with `--verbose`.
func describe(_ error: any Error, verbose: Bool) -> String {
    if let error = error as? PostgresError {
        let text = verbose ? error.debugDescription : error.description
        return error.code == .connectionLost ? text + "; " + ApplyError.connectionLostAdvice : text
    }
    return String(describing: error)
}

/// Runs `body`, a run under the apply lock: another writer holding the lock, or a dead one's leftovers
/// that would not stop, is a guard (one sentence, nothing applied, exit 3); a failed step is an error.
func refusingOnLock<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ApplyError {
        switch error {
        case .anotherWriter, .lockHolderStuck, .deadRunStillActive: break
        case .stepFailed: throw error
        }
        printError(error.description + ". Nothing was changed.")
        throw ExitCode(3)
    }
}

/// Asks `question` on standard error (never into the middle of the plan on stdout) unless `yes`; exit 3
/// without a terminal or without a yes.
func confirm(_ question: String, yes: Bool, refusing what: String) throws {
    guard !yes else { return }
    guard isatty(STDIN_FILENO) != 0 else {
        printError("refusing to \(what): pass --yes to \(what) without a terminal. Nothing was changed.")
        throw ExitCode(3)
    }
    printError(question + " [y/N] ", prefixed: false, terminator: "")
    let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    guard answer == "y" || answer == "yes" else {
        printError("nothing applied")
        throw ExitCode(3)
    }
}

/// Runs `plan` under the apply lock on a session of its own, its progress lines on standard error:
/// what `apply` and `restate` run. A lock held by another writer is a refusal (``refusingOnLock(_:)``).
func applyShowingProgress(
    _ plan: Plan, configuration: ConnectionConfiguration, options: ApplyOptions, logger: Logger, verbose: Bool
) async throws -> ApplyReport {
    try await reportingErrors(verbose: verbose) {
        try await refusingOnLock {
            try await PlanExecutor.apply(
                plan, configuration: configuration, options: options, logger: logger,
                progress: { line in printError(line, prefixed: false) })
        }
    }
}
