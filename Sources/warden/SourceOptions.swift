import ArgumentParser
import Foundation
import Controller
import GitSource
import WardenModel

/// Where the desired state comes from: `--repo PATH|URL --ref REF --path DIR`, or `--dir DIR`.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The schema repository: a local path or a URL (file://, https://, ssh://).", valueName: "PATH|URL"))
    var repo: String = "."

    @Option(help: "The branch, tag or commit to read.")
    var ref: String = "main"

    @Option(help: "The folder of the desired state inside the repository.")
    var path: String = "desired-state"

    @Option(help: ArgumentHelp("Read a plain folder as it is on disk instead of a git repository.", valueName: "DIR"))
    var dir: String?

    /// Also says, in one line on stderr, when files under the desired-state folder have uncommitted
    /// changes: warden reads the tree committed at `--ref`, so those edits are not what it reads. It runs
    /// here, once per command and before any work, so every command that reads a repository says it.
    func validate() throws {
        guard dir == nil else { return }
        var isDirectory: ObjCBool = false
        // A URL or `user@host:path` is fetched, and has no work tree to compare with.
        guard FileManager.default.fileExists(atPath: repo, isDirectory: &isDirectory), isDirectory.boolValue,
              let repository = try? GitRepository.discover(from: repo),
              let changed = try? repository.uncommittedChanges(under: path), !changed.isEmpty else { return }
        printError(Self.uncommittedNote(changed, path: path, ref: ref, root: repository.path))
    }

    /// The note about uncommitted changes: how many, the first few, and what to do.
    static func uncommittedNote(_ changed: [String], path: String, ref: String, root: String) -> String {
        let folder = path.hasSuffix("/") ? path : path + "/"
        let shown = changed.prefix(3).joined(separator: ", ") + (changed.count > 3 ? ", …" : "")
        return "note: \(changed.count) uncommitted change\(changed.count == 1 ? "" : "s") under \(folder) \(changed.count == 1 ? "is" : "are") "
            + "not read (\(shown)): warden reads \(folder) as committed at \(ref); commit them, or pass --dir \(root)/\(path) "
            + "to read the folder as it is on disk"
    }

    /// What diagnostics' paths are relative to, as a prefix: the folder for `--dir`, nothing for a
    /// repository (its paths are already repository-relative, `desired-state/...`).
    var displayPrefix: String {
        guard var dir else { return "" }
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        return dir + "/"
    }

    var source: DesiredStateSource {
        if let dir { return .folder(dir) }
        return .repository(location: repo, ref: ref, path: path)
    }
}

/// `--as-of DATE`.
struct AsOfOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The warehouse's today (YYYY-MM-DD); default: the date of --at (or now) in the warehouse time zone.", valueName: "DATE"))
    var asOf: String?
    @Option(help: ArgumentHelp("Evaluate maintenance windows as if now were TIME (RFC 3339, e.g. 2026-11-29T02:30:00-06:00).", valueName: "TIME"))
    var at: String?

    func validate() throws {
        if let asOf, Day(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
        if let at, Self.parseTime(at) == nil {
            throw ValidationError("--at must be an RFC 3339 time like 2026-11-29T02:30:00-06:00 or 2026-11-29T08:30:00Z, not '\(at)'")
        }
    }

    /// The instant the command evaluates windows at: `--at`, or the wall clock.
    var now: Date { at.flatMap(Self.parseTime) ?? Date() }

    /// A wall clock that starts at `--at` (or now) and runs on, for an apply that takes time.
    var clock: @Sendable () -> Date { Self.clock(startingAt: at) }

    /// A wall clock that starts at `time` (RFC 3339; the real clock when `nil`) and runs on.
    static func clock(startingAt time: String?) -> @Sendable () -> Date {
        guard let start = time.flatMap(parseTime) else { return { Date() } }
        let began = Date()
        return { start.addingTimeInterval(Date().timeIntervalSince(began)) }
    }

    /// `--as-of`, else the as-of day of `settings` at ``now``: today in the warehouse time zone once
    /// `routine.buildAfter` has passed, else yesterday (DESIGN.md §6b).
    func day(_ settings: WarehouseSettings) throws -> Day {
        guard asOf != nil else { return settings.asOf(at: now) }
        return try day(timeZone: settings.timeZone)
    }

    func day(timeZone: String) throws -> Day {
        guard let asOf else { return Pipeline.today(in: timeZone, now: now) }
        guard let day = Day(asOf) else { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
        return day
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
