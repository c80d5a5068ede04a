internal import CLibGit2
import Foundation

// Scoped access to libgit2 objects: each helper frees what it looked up before returning, and copies
// what the caller needs into Swift values. All of them must be called inside `withHandle`.
extension GitRepository {
    /// The 40-digit hexadecimal form of `oid`.
    static func hex(_ oid: git_oid) -> String {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_fmt(&buffer, &oid)
        return String(decoding: buffer.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Looks up the commit `oid`, runs `body` with it, and frees it.
    static func withCommit<T>(
        _ repository: OpaquePointer, _ oid: git_oid, _ body: (OpaquePointer) throws(GitError) -> T
    ) throws(GitError) -> T {
        var oid = oid
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, repository, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        return try body(commit!)
    }

    /// Runs `body` with the root tree of `commit`, and frees the tree.
    static func withTree<T>(
        ofCommit commit: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> T
    ) throws(GitError) -> T {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "git_commit_tree")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }

    /// The metadata of `commit`, copied into Swift values.
    static func commitInfo(_ commit: OpaquePointer) -> CommitInfo {
        let id = hex(git_commit_id(commit).pointee)
        let author = git_commit_author(commit)?.pointee
        var message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        while message.last?.isNewline == true { message.removeLast() }
        return CommitInfo(
            id: id,
            authorName: author.flatMap { $0.name.map { String(cString: $0) } } ?? "",
            authorEmail: author.flatMap { $0.email.map { String(cString: $0) } } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit))),
            message: message)
    }

    /// The id of the object at `path` in `tree` (the tree itself for `""`), or nil if there is none.
    static func entryID(in tree: OpaquePointer, path: String) throws(GitError) -> git_oid? {
        if path.isEmpty { return git_tree_id(tree).pointee }
        var entry: OpaquePointer?
        let status = git_tree_entry_bypath(&entry, tree, path)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check(status, "git_tree_entry_bypath")
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_id(entry).pointee
    }

    /// The bytes of the blob `oid`.
    static func blobContents(_ repository: OpaquePointer, _ oid: git_oid) throws(GitError) -> [UInt8] {
        var oid = oid
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, repository, &oid), "git_blob_lookup")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: size))
    }

    /// Appends every regular file under `tree` to `files`, with paths starting with `prefix`.
    /// Symbolic links and submodules (gitlinks) are not files in the commit: they are never followed,
    /// and go to `skipped` with what they are.
    static func collectFiles(
        _ repository: OpaquePointer, tree: OpaquePointer, prefix: String, into files: inout [GitFile],
        skipped: inout [String: String]
    ) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : prefix + "/" + name
            var oid = git_tree_entry_id(entry).pointee
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, repository, &oid), "git_tree_lookup")
                defer { git_tree_free(subtree) }
                try collectFiles(repository, tree: subtree!, prefix: path, into: &files, skipped: &skipped)
            case GIT_OBJECT_BLOB where git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK:
                files.append(GitFile(path: path, contents: try blobContents(repository, oid)))
            case GIT_OBJECT_BLOB:
                let target = String(decoding: try blobContents(repository, oid), as: UTF8.self)
                skipped[path] = "a symbolic link to '\(target)'"
            case GIT_OBJECT_COMMIT:
                skipped[path] = "a submodule"
            default:
                continue
            }
        }
    }

    /// `path` as a repository-relative path: no empty or `.` components, no leading or trailing `/`.
    /// `""` and `"."` both mean the whole tree.
    static func normalisedPath(_ path: String) throws(GitError) -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        if components.contains("..") {
            throw GitError(
                code: .invalidArgument,
                message: "path '\(path)' contains '..'; give a path relative to the repository root")
        }
        return components.joined(separator: "/")
    }

    /// How to name this repository in a message: its remote for a mirror, else its folder.
    var displayName: String { remoteURL ?? path }
}
