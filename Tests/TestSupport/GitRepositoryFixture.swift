import Foundation

/// A real git repository in a temporary folder, driven by the `git` command line.
public struct GitRepositoryFixture: Sendable {
    public let folder: TemporaryFolder
    public var path: String { folder.path }

    public init() async throws {
        folder = try TemporaryFolder("warden-repo")
        try await git("init", "-q", "-b", "main")
    }

    /// Copies a folder into the repository (replacing what was at `destination`).
    public func copy(folder source: String, to destination: String) throws {
        let target = path + "/" + destination
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: target)
    }

    /// Writes a file (creating folders).
    public func write(_ contents: String, to relativePath: String) throws {
        let target = path + "/" + relativePath
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: target, atomically: true, encoding: .utf8)
    }

    /// Stages everything and commits; returns the commit id.
    @discardableResult
    public func commitAll(_ message: String) async throws -> String {
        try await git("add", "-A")
        try await git("commit", "-q", "-m", message)
        return try await git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    public func git(_ arguments: String...) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_AUTHOR_NAME"] = "warden tests"
        environment["GIT_AUTHOR_EMAIL"] = "tests@warden.invalid"
        environment["GIT_COMMITTER_NAME"] = "warden tests"
        environment["GIT_COMMITTER_EMAIL"] = "tests@warden.invalid"
        let outcome = try await Subprocess.run(
            ["/usr/bin/git", "-C", path, "-c", "commit.gpgsign=false"] + arguments, environment: environment)
        guard outcome.status == 0 else {
            throw Subprocess.SpawnFailure(description: "git \(arguments.joined(separator: " ")) failed: \(outcome.standardError)")
        }
        return outcome.standardOutput
    }

    public func remove() { folder.remove() }
}

/// The package's root folder (for `desired-state/`, `examples/`).
public let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
