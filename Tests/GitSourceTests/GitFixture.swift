import Foundation

/// A temporary folder holding real git repositories made with the `git` command line.
///
/// Git runs with a fixed author and committer, fixed increasing commit dates, no system or global
/// configuration and no signing, so the tests behave the same on a fresh machine. Call ``remove()``
/// in a `defer` (that also keeps the fixture alive until the end of the test).
final class GitFixture {
    /// The temporary folder.
    let root: String
    /// Seconds since 1970 of the next commit; each commit is one minute after the last.
    private var nextCommitTime = 1_700_000_000

    init() throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("warden-gitsource-" + UUID().uuidString)
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Deletes the temporary folder.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A new repository with a work tree in `root/name`, whose first branch is `branch`.
    func makeRepository(_ name: String = "repo", branch: String = "main") throws -> TestRepository {
        let repository = TestRepository(path: root + "/" + name, fixture: self)
        try FileManager.default.createDirectory(atPath: repository.path, withIntermediateDirectories: true)
        try repository.git(["init", "-q", "-b", branch])
        return repository
    }

    /// The environment of every `git` run; `time` fixes the author and committer dates.
    func environment(time: Int?) -> [String: String] {
        var environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": root,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "Ada Author",
            "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Cole Committer",
            "GIT_COMMITTER_EMAIL": "cole@example.com",
            "GIT_TERMINAL_PROMPT": "0",
        ]
        if let time {
            environment["GIT_AUTHOR_DATE"] = "@\(time) +0000"
            environment["GIT_COMMITTER_DATE"] = "@\(time) +0000"
        }
        return environment
    }

    /// The date to give the next commit.
    func takeCommitTime() -> Int {
        defer { nextCommitTime += 60 }
        return nextCommitTime
    }
}

/// One repository of a ``GitFixture``.
struct TestRepository {
    /// The work tree (or the bare repository's folder).
    let path: String
    let fixture: GitFixture

    /// `file://` URL of this repository.
    var fileURL: String { "file://" + path }

    /// Runs `git -C path args` and returns its standard output without the trailing newline.
    @discardableResult
    func git(_ arguments: [String], time: Int? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "init.defaultBranch=main", "-C",
                path,
            ]
            + arguments
        process.environment = fixture.environment(time: time)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(
                "git \(arguments.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        var text = String(decoding: outData, as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }

    /// Writes `contents` to `relativePath` in the work tree, creating folders.
    func write(_ relativePath: String, _ contents: String) throws {
        try write(relativePath, bytes: Array(contents.utf8))
    }

    /// Writes raw bytes to `relativePath` in the work tree, creating folders.
    func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// Deletes `relativePath` from the work tree.
    func delete(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + relativePath)
    }

    /// Stages everything and commits it; returns the new commit id.
    @discardableResult
    func commitAll(_ message: String) throws -> String {
        try git(["add", "-A"])
        return try commit(message)
    }

    /// Commits what is staged (allowing an empty commit); returns the new commit id.
    @discardableResult
    func commit(_ message: String) throws -> String {
        let time = fixture.takeCommitTime()
        try git(["commit", "-q", "--allow-empty", "-m", message], time: time)
        return try git(["rev-parse", "HEAD"])
    }
}

/// A failure of the fixture itself (a git command that failed).
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
