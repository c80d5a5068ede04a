internal import CLibGit2

extension GitRepository {
    /// The commits reachable from `to` and not from `from`, newest first, that changed something
    /// under `path`.
    ///
    /// The walk follows **first parents only**, like `git log --first-parent -- <path>`: it is the
    /// history of the branch as it landed, one entry per merge. A commit counts as touching `path` when
    /// the object at `path` (its tree, or its blob for a file) differs from the one in its first
    /// parent, including appearing or disappearing; a root commit is compared with nothing. A merge of
    /// a feature branch is therefore listed once, as the merge commit, and the feature branch's own
    /// commits are not listed.
    ///
    /// - Parameters:
    ///   - from: the last commit already seen (excluded, with everything reachable from it), or nil for
    ///     the whole history.
    ///   - to: the newest commit to list from.
    ///   - path: a folder or file relative to the repository root; nil lists every first-parent commit,
    ///     `""` every one that changed any file.
    ///   - limit: the most commits to return, or nil for all.
    /// - Throws: ``GitError`` for an unknown `from` or `to` (see ``resolve(_:)``).
    public func commits(from: String?, to: String, touching path: String?, limit: Int? = nil) throws(GitError)
        -> [CommitInfo]
    {
        let folder = try path.map { (path: String) throws(GitError) in try Self.normalisedPath(path) }
        return try withHandle { repository throws(GitError) in
            var toOID = try resolveOID(repository, to)
            var fromOID = try from.map { (ref: String) throws(GitError) in try resolveOID(repository, ref) }

            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, repository), "git_revwalk_new")
            defer { git_revwalk_free(walk) }
            try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue), "git_revwalk_sorting")
            try check(git_revwalk_simplify_first_parent(walk), "git_revwalk_simplify_first_parent")
            try check(git_revwalk_push(walk, &toOID), "git_revwalk_push")
            if fromOID != nil {
                try check(git_revwalk_hide(walk, &fromOID!), "git_revwalk_hide")
            }

            var result: [CommitInfo] = []
            var oid = git_oid()
            while limit.map({ result.count < $0 }) ?? true {
                let status = git_revwalk_next(&oid, walk)
                if status == GIT_ITEROVER.rawValue { break }
                try check(status, "git_revwalk_next")
                let info = try Self.withCommit(repository, oid) { commit throws(GitError) -> CommitInfo? in
                    if let folder, !(try Self.touches(repository, commit: commit, path: folder)) { return nil }
                    return Self.commitInfo(commit)
                }
                if let info { result.append(info) }
            }
            return result
        }
    }

    /// Whether the object at `path` in `commit` differs from the one in its first parent.
    private static func touches(_ repository: OpaquePointer, commit: OpaquePointer, path: String) throws(GitError)
        -> Bool
    {
        let current = try withTree(ofCommit: commit) { tree throws(GitError) in try entryID(in: tree, path: path) }
        guard git_commit_parentcount(commit) > 0 else { return current != nil }
        var parent: OpaquePointer?
        try check(git_commit_parent(&parent, commit, 0), "git_commit_parent")
        defer { git_commit_free(parent) }
        let previous = try withTree(ofCommit: parent!) { tree throws(GitError) in try entryID(in: tree, path: path) }
        switch (current, previous) {
        case (nil, nil): return false
        case (var a?, var b?): return git_oid_equal(&a, &b) == 0
        default: return true
        }
    }
}
