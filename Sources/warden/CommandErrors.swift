import ArgumentParser
import Executor
import Controller
import Foundation
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
