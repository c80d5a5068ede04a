internal import CLibGit2
import Foundation

/// A git repository opened through libgit2: a local work tree or bare repository, or a bare mirror
/// of a remote kept in a cache folder by ``cloneOrFetch(url:into:credentials:logger:)``.
///
/// Everything read from it is copied into Swift values (``CommitInfo``, ``GitFile``, ``GitSnapshot``);
/// no libgit2 object outlives the call that looked it up.
///
/// ## Thread safety
/// libgit2 lets a repository be used from any thread, but from one thread at a time (P-G5). The
/// invariant that makes `@unchecked Sendable` sound: **every libgit2 call on ``handle``, or on an
/// object looked up through it, happens inside ``withHandle(_:)``, which holds ``lock`` for the
/// whole synchronous call.** Nothing inside `withHandle` suspends, so the thread-local libgit2
/// error is read on the thread that caused it. Calls on one repository therefore run one after
/// another; use separate `GitRepository` values for parallel work. The methods block (a fetch may
/// take a while), so call them from a thread that may block, not in a tight loop on the cooperative pool.
public final class GitRepository: @unchecked Sendable {
    /// The folder the repository was opened at: the work tree for a non-bare repository, the git
    /// folder for a bare one (no trailing `/`).
    public let path: String
    /// Whether the repository has no work tree.
    public let isBare: Bool
    /// The remote URL for a mirror made by ``cloneOrFetch(url:into:credentials:logger:)``, with any
    /// password in it replaced by `***`; nil for a repository opened with ``open(at:)``.
    public let remoteURL: String?

    /// The URL exactly as given, for fetching; may hold a password, so it is never logged or shown.
    let fetchURL: String?
    /// Guards ``handle`` and every libgit2 object derived from it.
    private let lock = NSLock()
    /// The `git_repository *`; used only inside ``withHandle(_:)``.
    private let handle: OpaquePointer

    /// Takes ownership of `handle`, which is freed in `deinit`.
    init(handle: OpaquePointer, fetchURL: String?) {
        self.handle = handle
        self.fetchURL = fetchURL
        self.remoteURL = fetchURL.map { RemoteLocation(url: $0).redacted }
        self.isBare = git_repository_is_bare(handle) == 1
        let folder = (isBare ? git_repository_path(handle) : git_repository_workdir(handle)).map { String(cString: $0) }
        var trimmed = folder ?? ""
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
    }

    deinit {
        git_repository_free(handle)
    }

    /// Runs `body` with the `git_repository *` while holding ``lock``. `body` must not suspend or
    /// let the pointer, or anything looked up through it, escape.
    func withHandle<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(handle)
    }

    /// Opens the repository whose work tree or git folder is exactly `path`.
    ///
    /// The folder is not searched upwards: a sub-folder of a work tree is not a repository here, which
    /// keeps a mistyped `--repo` from silently reading an enclosing checkout. Read files below the root
    /// with ``snapshot(ref:path:)`` instead.
    ///
    /// - Throws: ``GitError`` with ``GitError/Code/notARepository`` when the folder is missing or not a
    ///   repository, ``GitError/Code/ownership`` when it belongs to another user.
    public static func open(at path: String) throws(GitError) -> GitRepository {
        try open(path, flags: GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue) { failure, absolute in openError(failure, path: absolute) }
    }

    /// Opens the repository at (or, without `GIT_REPOSITORY_OPEN_NO_SEARCH`, above) an existing
    /// folder; `failed` says what a failure of `git_repository_open_ext` means.
    static func open(
        _ path: String, flags: UInt32, failed: (LibGit2Failure, String) -> GitError
    ) throws(GitError) -> GitRepository {
        try LibGit2Runtime.ensureInitialized()
        let absolute = RemoteLocation.absolutePath(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GitError(
                code: .notARepository,
                message: "cannot open git repository at \(absolute): no such folder; check the path")
        }
        var repository: OpaquePointer?
        try check(git_repository_open_ext(&repository, absolute, flags, nil), "git_repository_open_ext") { failure in
            failed(failure, absolute)
        }
        guard let repository else {
            throw GitError(code: .notARepository, message: "cannot open git repository at \(absolute)")
        }
        return GitRepository(handle: repository, fetchURL: nil)
    }

    /// Maps a failure of `git_repository_open_ext` to a message that says what to do.
    static func openError(_ failure: LibGit2Failure, path: String) -> GitError {
        // libgit2 1.5.1 reports a refused owner as GIT_ENOTFOUND "config value 'safe.directory' was not
        // found" when no safe.directory is configured at all, and as GIT_EOWNER otherwise.
        let ownerRefused =
            failure.status == GIT_EOWNER.rawValue || failure.isNotFound && failure.message.contains("safe.directory")
        if failure.isNotFound && !ownerRefused {
            return GitError(
                code: .notARepository,
                message: "\(path) is not a git repository (no .git folder and not a bare repository); "
                    + "pass the top-level folder of a clone, or clone it first",
                libgit2Message: failure.message)
        }
        if ownerRefused {
            return GitError(
                code: .ownership,
                message: "git repository \(path) is owned by another user and libgit2 refuses to open it; "
                    + "run warden as the owner, or trust it with `git config --global --add safe.directory \(path)`",
                libgit2Message: failure.message)
        }
        return GitError(
            code: .libgit2(failure.status),
            message: "cannot open git repository at \(path): \(failure.message)",
            libgit2Message: failure.message)
    }
}
