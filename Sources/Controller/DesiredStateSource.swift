import DesiredState
import Foundation
import GitSource
import WardenModel

/// Where the desired state is read from: a git repository at a ref (the default), or a plain folder.
public enum DesiredStateSource: Sendable, CustomStringConvertible {
    /// A local repository path or a URL (`file://`, `https://`, `ssh://`, `user@host:path`), a ref, and the
    /// folder inside the repository.
    case repository(location: String, ref: String, path: String)
    /// A plain folder, read as it is on disk (`--dir`).
    case folder(String)

    public var description: String {
        switch self {
        case .repository(let location, let ref, let path): "\(path)/ at \(ref) of \(location)"
        case .folder(let path): path
        }
    }

    /// Reads the files of the desired state: as committed at the ref (the work tree is ignored), or as
    /// they are in the folder.
    public func read(cacheDirectory: String = DesiredStateSource.defaultCacheDirectory) throws -> DesiredStateSnapshot {
        switch self {
        case .folder(let path):
            return DesiredStateSnapshot(
                files: try DesiredStateLoader.files(inFolder: path), root: DesiredStateSource.folderRoot(path),
                commit: nil)
        case .repository(let location, let ref, let path):
            let repository = try open(location, cacheDirectory: cacheDirectory)
            let snapshot = try repository.snapshot(ref: ref, path: path)
            let files = Self.sourceFiles(snapshot)
            return DesiredStateSnapshot(files: files, root: snapshot.path, commit: snapshot.commit)
        }
    }

    /// The desired state at the previous commit that changed the folder, for the breaking-change lint;
    /// `nil` for a folder, a first commit, or a folder that did not exist before.
    public func readPrevious(
        to current: DesiredStateSnapshot, cacheDirectory: String = DesiredStateSource.defaultCacheDirectory
    ) throws -> DesiredStateSnapshot? {
        guard case .repository(let location, _, let path) = self, let commit = current.commit else { return nil }
        let repository = try open(location, cacheDirectory: cacheDirectory)
        let history = try repository.commits(from: nil, to: commit.id, touching: path)
        // history[0] is the newest commit that touched the folder; the one before it is the previous state.
        guard history.count >= 2 else { return nil }
        let previous = history[history.first?.id == commit.id ? 1 : 0]
        guard let snapshot = try? repository.snapshot(ref: previous.id, path: path) else { return nil }
        return DesiredStateSnapshot(
            files: Self.sourceFiles(snapshot), root: snapshot.path,
            commit: snapshot.commit)
    }

    private func open(_ location: String, cacheDirectory: String) throws -> GitRepository {
        if DesiredStateSource.isRemote(location) {
            return try GitRepository.cloneOrFetch(url: location, into: cacheDirectory)
        }
        return try GitRepository.discover(from: location)
    }

    /// `file://`, `https://`, `ssh://`… and scp-like `user@host:path` are fetched into the cache; anything
    /// else is a local repository opened where it is.
    static func isRemote(_ location: String) -> Bool {
        if location.contains("://") { return true }
        if let at = location.firstIndex(of: "@"), let colon = location.firstIndex(of: ":"), at < colon,
           !location.hasPrefix("/") {
            return true
        }
        return false
    }

    /// The folder warden keeps fetched repositories in: `WARDEN_CACHE_DIR`, else `~/.cache/warden/repositories`.
    public static var defaultCacheDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["WARDEN_CACHE_DIR"], !explicit.isEmpty { return explicit }
        return NSHomeDirectory() + "/.cache/warden/repositories"
    }

    static func folderRoot(_ path: String) -> String { "" }
}

/// The files of the desired state at one revision.
public struct DesiredStateSnapshot: Sendable {
    public var files: [SourceFile]
    /// The folder the files are under (their paths start with it).
    public var root: String
    /// The commit, or `nil` for a plain folder.
    public var commit: CommitInfo?

    public var revision: String? { commit?.id }
}

extension DesiredStateSource {
    /// A snapshot's files, and the links and submodules it did not follow (for the loader to report).
    static func sourceFiles(_ snapshot: GitSnapshot) -> [SourceFile] {
        snapshot.files.map { SourceFile(path: $0.path, contents: $0.contents) }
            + snapshot.skipped.map { SourceFile(path: $0.key, notAFile: $0.value) }
    }
}
