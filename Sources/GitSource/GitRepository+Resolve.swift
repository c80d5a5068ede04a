internal import CLibGit2
import Foundation

extension GitRepository {
    /// The commit a branch, tag or commit id names.
    ///
    /// `ref` is tried, in this order, as:
    /// 1. `HEAD`;
    /// 2. a local branch (`refs/heads/<ref>`; in a mirror from ``cloneOrFetch(url:into:credentials:logger:)``
    ///    these are the remote's branches);
    /// 3. a remote-tracking branch of `origin` (`refs/remotes/origin/<ref>`), for a clone that has no
    ///    local branch of that name;
    /// 4. a tag (`refs/tags/<ref>`, annotated or lightweight, peeled to its commit);
    /// 5. any other ref: `refs/...` in full, or `origin/<branch>` (in a mirror, the mirror's `<branch>`);
    /// 6. a full or abbreviated (at least 4 digits) commit id;
    /// 7. any other revision expression libgit2 understands, such as `main~2`.
    ///
    /// A branch wins over a tag of the same name (git itself prefers the tag and warns).
    ///
    /// - Throws: ``GitError`` with ``GitError/Code/unknownRef`` naming the ref and listing the known
    ///   branches, ``GitError/Code/ambiguousRef`` for a short id that matches several objects,
    ///   ``GitError/Code/notACommit`` for a ref that leads to a tree or blob.
    public func resolve(_ ref: String) throws(GitError) -> CommitInfo {
        try withHandle { repository throws(GitError) in
            let oid = try resolveOID(repository, ref)
            return try Self.withCommit(repository, oid) { Self.commitInfo($0) }
        }
    }

    /// The commit id `ref` names; see ``resolve(_:)`` for the order. Call inside `withHandle`.
    func resolveOID(_ repository: OpaquePointer, _ ref: String) throws(GitError) -> git_oid {
        let name = ref.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else {
            throw GitError(code: .invalidArgument, message: "the git ref is empty; give a branch, tag or commit id")
        }
        if name == "HEAD" {
            var head: OpaquePointer?
            let status = git_repository_head(&head, repository)
            if status == GIT_EUNBORNBRANCH.rawValue || status == GIT_ENOTFOUND.rawValue {
                throw GitError(
                    code: .unknownRef,
                    message: "ref 'HEAD' of \(displayName) has no commit yet (unborn branch); commit something first")
            }
            try check(status, "git_repository_head")
            defer { git_reference_free(head) }
            return try peelToCommit(head!, ref: name)
        }

        var candidates = ["refs/heads/\(name)", "refs/remotes/origin/\(name)", "refs/tags/\(name)"]
        candidates += name.hasPrefix("refs/") ? [name] : ["refs/remotes/\(name)"]
        if fetchURL != nil, name.hasPrefix("origin/") {
            // A mirror's branches are the remote's, so `origin/main` is its `main`.
            candidates.append("refs/heads/" + name.dropFirst("origin/".count))
        }
        for candidate in candidates {
            var reference: OpaquePointer?
            let status = git_reference_lookup(&reference, repository, candidate)
            if status == GIT_ENOTFOUND.rawValue || status == GIT_EINVALIDSPEC.rawValue { continue }
            try check(status, "git_reference_lookup")
            defer { git_reference_free(reference) }
            return try peelToCommit(reference!, ref: name)
        }

        if (4...Int(GIT_OID_HEXSZ)).contains(name.utf8.count), name.allSatisfy(\.isHexDigit) {
            var prefix = git_oid()
            try check(git_oid_fromstrn(&prefix, name, name.utf8.count), "git_oid_fromstrn")
            var object: OpaquePointer?
            let status = git_object_lookup_prefix(&object, repository, &prefix, name.utf8.count, GIT_OBJECT_ANY)
            if status == GIT_EAMBIGUOUS.rawValue {
                throw GitError(
                    code: .ambiguousRef,
                    message: "commit id '\(name)' is ambiguous in \(displayName): several objects start with it; "
                        + "give more digits")
            }
            if status != GIT_ENOTFOUND.rawValue {
                try check(status, "git_object_lookup_prefix")
                defer { git_object_free(object) }
                return try peelObjectToCommit(object!, ref: name)
            }
        }

        var object: OpaquePointer?
        let status = git_revparse_single(&object, repository, name)
        if status < 0 && status != GIT_EAMBIGUOUS.rawValue {
            throw unknownRefError(repository, name)
        }
        try check(status, "git_revparse_single") { failure in
            GitError(
                code: .ambiguousRef,
                message: "ref '\(name)' is ambiguous in \(displayName): \(failure.message)",
                libgit2Message: failure.message)
        }
        defer { git_object_free(object) }
        return try peelObjectToCommit(object!, ref: name)
    }

    /// The commit a reference leads to, through symbolic refs and annotated tags.
    private func peelToCommit(_ reference: OpaquePointer, ref: String) throws(GitError) -> git_oid {
        var object: OpaquePointer?
        try check(git_reference_peel(&object, reference, GIT_OBJECT_COMMIT), "git_reference_peel") { failure in
            self.notACommitError(ref, failure)
        }
        defer { git_object_free(object) }
        return git_object_id(object).pointee
    }

    /// The commit an object leads to (itself, or the target of an annotated tag).
    private func peelObjectToCommit(_ object: OpaquePointer, ref: String) throws(GitError) -> git_oid {
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel") { failure in
            self.notACommitError(ref, failure)
        }
        defer { git_object_free(commit) }
        return git_object_id(commit).pointee
    }

    private func notACommitError(_ ref: String, _ failure: LibGit2Failure) -> GitError {
        GitError(
            code: .notACommit,
            message: "ref '\(ref)' in \(displayName) does not lead to a commit (\(failure.message)); "
                + "give a branch, tag or commit id",
            libgit2Message: failure.message)
    }

    /// "ref 'x' does not exist in <repo>; known branches: a, b".
    private func unknownRefError(_ repository: OpaquePointer, _ ref: String) -> GitError {
        let branches = Self.branchNames(repository)
        let known: String
        switch branches.count {
        case 0: known = "the repository has no branches yet"
        case 1...20: known = "known branches: " + branches.joined(separator: ", ")
        default: known = "known branches include: " + branches.prefix(20).joined(separator: ", ") + ", ..."
        }
        return GitError(code: .unknownRef, message: "ref '\(ref)' does not exist in \(displayName); \(known)")
    }

    /// The short names of the local and remote-tracking branches, sorted (`main`, `origin/dev`, ...).
    static func branchNames(_ repository: OpaquePointer) -> [String] {
        var iterator: OpaquePointer?
        guard git_branch_iterator_new(&iterator, repository, GIT_BRANCH_ALL) == 0 else { return [] }
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        var reference: OpaquePointer?
        var type = GIT_BRANCH_LOCAL
        while git_branch_next(&reference, &type, iterator) == 0 {
            var name: UnsafePointer<CChar>?
            if git_branch_name(&name, reference) == 0, let name {
                let text = String(cString: name)
                if !text.hasSuffix("/HEAD") { names.append(text) }
            }
            git_reference_free(reference)
        }
        return names.sorted()
    }
}
