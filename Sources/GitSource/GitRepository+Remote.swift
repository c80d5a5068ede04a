internal import CLibGit2
import Foundation
import Logging
import Synchronization

extension GitRepository {
    /// The refspecs of a cache mirror: every branch and tag of the remote under the same name, forced,
    /// like `git clone --mirror` without the remote's other refs (pull requests, notes...).
    static let mirrorRefspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// Serialises network operations across all repositories of the process. libgit2 objects are
    /// per-repository, but concurrent fetches in different repositories have crashed inside the TLS
    /// stack before (libgit2 #3624, P-G5); warden fetches one or a few remotes, so one at a time is
    /// cheap insurance.
    private static let networkLock = NSLock()

    /// Whether the CA-bundle warning was logged already (it is logged once per process).
    private static let loggedCertificateWarning = Atomic<Bool>(false)

    /// Returns an up-to-date bare mirror of the remote at `url`, kept in `cacheDirectory`.
    ///
    /// The mirror lives in `cacheDirectory/<host-and-path>-<hash of url>.git`. If it is absent, it is
    /// cloned (into a temporary folder that is renamed into place only once the fetch succeeded, so a
    /// crash never leaves a half-made mirror behind); if it is there, it is opened and fetched. A fetch
    /// brings every branch and tag, forced, and prunes those deleted on the remote; afterwards the
    /// mirror's `HEAD` follows the remote's default branch. Branches are local branches of the mirror,
    /// so ``resolve(_:)`` finds `main` as `refs/heads/main`.
    ///
    /// - Parameters:
    ///   - url: a local path, `file://`, `https://`, `http://`, `ssh://` or scp-like `user@host:path`.
    ///     Passwords in it are used but never logged or put in an error message.
    ///   - cacheDirectory: the folder holding mirrors; created if missing.
    ///   - credentials: what to offer a remote that asks; see ``GitCredentials/default``.
    ///   - logger: where to log the clone or fetch; nothing is logged when nil.
    /// - Throws: ``GitError`` with ``GitError/Code/unreachableRemote``, ``GitError/Code/authentication``,
    ///   ``GitError/Code/certificate``, or ``GitError/Code/cancelled`` when the calling task is cancelled.
    public static func cloneOrFetch(
        url: String,
        into cacheDirectory: String,
        credentials: GitCredentials = .default,
        logger: Logger? = nil
    ) throws(GitError) -> GitRepository {
        try LibGit2Runtime.ensureInitialized()
        if let warning = LibGit2Runtime.certificateWarning,
            loggedCertificateWarning.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        {
            logger?.warning("\(warning)")
        }
        guard !url.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw GitError(code: .invalidArgument, message: "the git remote URL is empty; pass a URL or a path")
        }
        let location = RemoteLocation(url: url)
        if location.kind == .localPath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: location.url, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw GitError(
                    code: .unreachableRemote,
                    message: "cannot fetch from remote \(location.url): no such folder; check the path")
            }
        }
        let cache = RemoteLocation.absolutePath(cacheDirectory)
        do {
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        } catch {
            throw GitError(
                code: .invalidArgument,
                message: "cannot create the git cache folder \(cache): \(error.localizedDescription); "
                    + "choose a writable folder")
        }
        let target = cache + "/" + location.cacheName
        var logger = logger
        logger?[metadataKey: "git.remote"] = "\(location.redacted)"
        logger?[metadataKey: "git.mirror"] = "\(target)"

        if FileManager.default.fileExists(atPath: target) {
            do {
                let repository = try openMirror(at: target, location: location)
                try repository.fetch(credentials: credentials, logger: logger)
                return repository
            } catch let error where error.code == .notARepository {
                logger?.warning("git mirror folder is not a repository; cloning it afresh")
                try? FileManager.default.removeItem(atPath: target)
            }
        }
        return try cloneMirror(
            location: location, cache: cache, target: target, credentials: credentials, logger: logger)
    }

    /// The mirror of `url` already in `cacheDirectory`, opened without contacting the remote, or nil
    /// when there is none yet.
    ///
    /// For carrying on with the last fetched state while the remote is unreachable. The result can be
    /// fetched later with ``fetch(credentials:logger:)``.
    public static func openCached(url: String, in cacheDirectory: String) throws(GitError) -> GitRepository? {
        try LibGit2Runtime.ensureInitialized()
        let location = RemoteLocation(url: url)
        let target = RemoteLocation.absolutePath(cacheDirectory) + "/" + location.cacheName
        guard FileManager.default.fileExists(atPath: target) else { return nil }
        do {
            return try openMirror(at: target, location: location)
        } catch let error where error.code == .notARepository {
            return nil
        }
    }

    /// Fetches every branch and tag of the remote again (forced, pruning deleted ones).
    ///
    /// Only for a repository returned by ``cloneOrFetch(url:into:credentials:logger:)``; a repository
    /// from ``open(at:)`` is someone's checkout and is left alone.
    ///
    /// - Throws: ``GitError``; ``GitError/Code/invalidArgument`` for a repository that is not a mirror.
    public func fetch(credentials: GitCredentials = .default, logger: Logger? = nil) throws(GitError) {
        guard let fetchURL else {
            throw GitError(
                code: .invalidArgument,
                message: "\(path) was opened as a local repository, not a mirror; use GitRepository.cloneOrFetch "
                    + "to keep a fetched copy of a remote")
        }
        let session = FetchSession(credentials: credentials, location: RemoteLocation(url: fetchURL), logger: logger)
        let started = ContinuousClock.now
        logger?.debug("fetching git remote")
        let head = try withExtendedLifetime(session) { () throws(GitError) -> String? in
            Self.networkLock.lock()
            defer { Self.networkLock.unlock() }
            return try withHandle { repository throws(GitError) in
                try Self.fetchMirror(repository, session: session)
            }
        }
        // A poll that changed nothing is not news.
        logger?.log(
            level: session.updatedRefs > 0 ? .info : .debug,
            "fetched git remote",
            metadata: [
                "git.head": "\(head ?? "(none)")", "git.updated_refs": "\(session.updatedRefs)",
                "git.duration": "\(ContinuousClock.now - started)",
            ])
    }

    /// Connects to `origin`, fetches, and points `HEAD` at the remote's default branch.
    /// Returns that branch's reference name, if the remote has one.
    private static func fetchMirror(_ repository: OpaquePointer, session: FetchSession) throws(GitError) -> String? {
        var remote: OpaquePointer?
        try check(git_remote_lookup(&remote, repository, "origin"), "git_remote_lookup")
        defer { git_remote_free(remote) }

        var callbacks = git_remote_callbacks()
        try check(
            git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)), "git_remote_init_callbacks")
        session.install(into: &callbacks)
        var proxy = git_proxy_options()
        try check(git_proxy_options_init(&proxy, UInt32(GIT_PROXY_OPTIONS_VERSION)), "git_proxy_options_init")
        // Like the git command line: honour http.proxy and the *_proxy environment variables.
        proxy.type = GIT_PROXY_AUTO

        try check(git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, &proxy, nil), "git_remote_connect") {
            session.error(for: $0, connecting: true)
        }
        var defaultBranch: String?
        var buffer = git_buf()
        if git_remote_default_branch(&buffer, remote) == 0, let pointer = buffer.ptr {
            defaultBranch = String(cString: pointer)
        }
        git_buf_dispose(&buffer)

        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        options.callbacks = callbacks
        options.proxy_opts = proxy
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.update_fetchhead = 0
        try check(git_remote_fetch(remote, nil, &options, "warden: fetch"), "git_remote_fetch") {
            session.error(for: $0, connecting: false)
        }
        if let defaultBranch {
            // Not fatal: a mirror whose HEAD lags only affects resolving "HEAD".
            _ = git_repository_set_head(repository, defaultBranch)
        }
        return defaultBranch
    }

    /// Opens an existing mirror and makes sure its `origin` fetches `location` with the mirror refspecs.
    private static func openMirror(at target: String, location: RemoteLocation) throws(GitError) -> GitRepository {
        var handle: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_BARE.rawValue
        try check(git_repository_open_ext(&handle, target, flags, nil), "git_repository_open_ext") {
            openError($0, path: target)
        }
        guard let handle else {
            throw GitError(code: .notARepository, message: "cannot open git mirror \(target)")
        }
        let repository = GitRepository(handle: handle, fetchURL: location.url)
        try repository.withHandle { pointer throws(GitError) in
            var remote: OpaquePointer?
            let status = git_remote_lookup(&remote, pointer, "origin")
            git_remote_free(remote)
            if status == GIT_ENOTFOUND.rawValue {
                try configureOrigin(pointer, location: location)
            } else {
                try check(status, "git_remote_lookup")
                // The folder name hashes the URL, so this only differs after a hash collision or a hand
                // edit; the URL asked for wins. Compared first so that a poll does not rewrite the config.
                if configuredOriginURL(pointer) != location.url {
                    try check(git_remote_set_url(pointer, "origin", location.url), "git_remote_set_url")
                }
            }
        }
        return repository
    }

    /// `remote.origin.url` as written in the mirror's config (before any `insteadOf` rewriting).
    private static func configuredOriginURL(_ repository: OpaquePointer) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, repository) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, "remote.origin.url") == 0, let value else { return nil }
        return String(cString: value)
    }

    /// Creates the `origin` remote of a mirror with the mirror refspecs.
    private static func configureOrigin(_ repository: OpaquePointer, location: RemoteLocation) throws(GitError) {
        var remote: OpaquePointer?
        try check(
            git_remote_create_with_fetchspec(&remote, repository, "origin", location.url, mirrorRefspecs[0]),
            "git_remote_create_with_fetchspec")
        git_remote_free(remote)
        for refspec in mirrorRefspecs.dropFirst() {
            try check(git_remote_add_fetch(repository, "origin", refspec), "git_remote_add_fetch")
        }
    }

    /// Clones into a temporary folder next to `target`, fetches, and renames it into place.
    private static func cloneMirror(
        location: RemoteLocation,
        cache: String,
        target: String,
        credentials: GitCredentials,
        logger: Logger?
    ) throws(GitError) -> GitRepository {
        let temporary =
            cache + "/." + location.cacheName + ".partial-\(ProcessInfo.processInfo.processIdentifier)-"
            + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        logger?.info("cloning git remote into a new mirror")
        do throws(GitError) {
            var handle: OpaquePointer?
            try check(git_repository_init(&handle, temporary, 1), "git_repository_init")
            guard let handle else {
                throw GitError(code: .libgit2(-1), message: "cannot create a git mirror in \(temporary)")
            }
            let repository = GitRepository(handle: handle, fetchURL: location.url)
            try repository.withHandle { pointer throws(GitError) in
                try configureOrigin(pointer, location: location)
            }
            try repository.fetch(credentials: credentials, logger: logger)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        // The temporary repository object is gone by now; rename the folder, then open it where it lives.
        if rename(temporary, target) != 0 {
            // Another process or thread finished the same clone first: use its mirror.
            try? FileManager.default.removeItem(atPath: temporary)
            logger?.debug("another clone of the same remote won the race; using it")
        }
        return try openMirror(at: target, location: location)
    }
}
