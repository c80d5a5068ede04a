internal import CLibGit2

extension GitRepository {
    /// Every file under `path` as committed at `ref`.
    ///
    /// Reads trees and blobs from the object database only: edits, staged changes and untracked files
    /// in a work tree are never seen. `path` is relative to the repository root; `""` or `"."` is the
    /// whole tree, and a path naming a single file gives a snapshot of that one file. Files come back
    /// sorted by path, with their exact committed bytes; symbolic links and submodules are never followed and are listed in
    /// ``GitSnapshot/skipped``.
    ///
    /// - Throws: ``GitError`` with ``GitError/Code/pathNotFound`` naming the path and the commit when
    ///   nothing is at `path` at that commit, or the errors of ``resolve(_:)``.
    public func snapshot(ref: String, path: String) throws(GitError) -> GitSnapshot {
        let folder = try Self.normalisedPath(path)
        return try withHandle { repository throws(GitError) in
            let oid = try resolveOID(repository, ref)
            return try Self.withCommit(repository, oid) { commit throws(GitError) in
                let info = Self.commitInfo(commit)
                var files: [GitFile] = []
                var skipped: [String: String] = [:]
                try Self.withTree(ofCommit: commit) { root throws(GitError) in
                    if folder.isEmpty {
                        try Self.collectFiles(repository, tree: root, prefix: "", into: &files, skipped: &skipped)
                        return
                    }
                    var entry: OpaquePointer?
                    let status = git_tree_entry_bypath(&entry, root, folder)
                    if status == GIT_ENOTFOUND.rawValue {
                        throw pathNotFound(folder, ref: ref, commit: info)
                    }
                    try check(status, "git_tree_entry_bypath")
                    defer { git_tree_entry_free(entry) }
                    var entryOID = git_tree_entry_id(entry).pointee
                    switch git_tree_entry_type(entry) {
                    case GIT_OBJECT_TREE:
                        var tree: OpaquePointer?
                        try check(git_tree_lookup(&tree, repository, &entryOID), "git_tree_lookup")
                        defer { git_tree_free(tree) }
                        try Self.collectFiles(repository, tree: tree!, prefix: folder, into: &files, skipped: &skipped)
                    case GIT_OBJECT_BLOB where git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK:
                        files.append(GitFile(path: folder, contents: try Self.blobContents(repository, entryOID)))
                    default:
                        throw GitError(
                            code: .pathNotFound,
                            message: "path '\(folder)' at commit \(info.shortID) (ref '\(ref)') in \(displayName) "
                                + "is a symbolic link or submodule, not a file or folder")
                    }
                }
                files.sort { $0.path < $1.path }
                return GitSnapshot(commit: info, path: folder, files: files, skipped: skipped)
            }
        }
    }

    /// The file at `path` as committed at `commit` (any ref ``resolve(_:)`` accepts), or nil when
    /// nothing is at `path` at that commit.
    ///
    /// - Throws: ``GitError`` with ``GitError/Code/invalidArgument`` when `path` is a folder, a symbolic
    ///   link or a submodule, or the errors of ``resolve(_:)``.
    public func file(at commit: String, path: String) throws(GitError) -> GitFile? {
        let filePath = try Self.normalisedPath(path)
        guard !filePath.isEmpty else {
            throw GitError(code: .invalidArgument, message: "no file path given; name a file such as 'warden.yaml'")
        }
        return try withHandle { repository throws(GitError) in
            let oid = try resolveOID(repository, commit)
            return try Self.withCommit(repository, oid) { commitPointer throws(GitError) in
                try Self.withTree(ofCommit: commitPointer) { root throws(GitError) -> GitFile? in
                    var entry: OpaquePointer?
                    let status = git_tree_entry_bypath(&entry, root, filePath)
                    if status == GIT_ENOTFOUND.rawValue { return nil }
                    try check(status, "git_tree_entry_bypath")
                    defer { git_tree_entry_free(entry) }
                    guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB,
                        git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK
                    else {
                        throw GitError(
                            code: .invalidArgument,
                            message: "path '\(filePath)' at '\(commit)' in \(displayName) is not a regular file; "
                                + "use snapshot(ref:path:) to read a folder")
                    }
                    return GitFile(
                        path: filePath, contents: try Self.blobContents(repository, git_tree_entry_id(entry).pointee))
                }
            }
        }
    }

    /// "path 'x' does not exist at commit abc1234 (ref 'main') in <repo>; ...".
    private func pathNotFound(_ path: String, ref: String, commit: CommitInfo) -> GitError {
        let at = ref == commit.id ? "commit \(commit.shortID)" : "commit \(commit.shortID) (ref '\(ref)')"
        return GitError(
            code: .pathNotFound,
            message: "path '\(path)' does not exist at \(at) in \(displayName); check the path, "
                + "and that the change adding it is committed and pushed")
    }
}
