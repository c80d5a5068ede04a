import ArgumentParser
import Controller
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
    @Option(help: ArgumentHelp("The warehouse's today (YYYY-MM-DD); default: today in the warehouse time zone.", valueName: "DATE"))
    var asOf: String?

    func day(timeZone: String) throws -> Day {
        guard let asOf else { return Pipeline.today(in: timeZone) }
        guard let day = Day(asOf) else { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
        return day
    }
}
