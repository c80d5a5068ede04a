/// The files under one folder of a repository at one commit, read from git objects, never a work tree.
public struct GitSnapshot: Sendable, Hashable {
    /// The commit the files were read at.
    public var commit: CommitInfo
    /// The folder that was asked for, normalised: no leading `./` or `/`, no trailing `/`; `""` is the whole tree.
    public var path: String
    /// Every regular file under ``path``, recursively, sorted by ``GitFile/path``.
    ///
    /// Symbolic links and submodules are not files and are left out (see ``skipped``).
    public var files: [GitFile]
    /// What was under ``path`` but is not a file, so that a reader can say so instead of taking it for
    /// absent: repository-relative path → what it is (`a symbolic link to '…'`, `a submodule`).
    public var skipped: [String: String]

    /// Creates a snapshot.
    public init(commit: CommitInfo, path: String, files: [GitFile], skipped: [String: String] = [:]) {
        self.commit = commit
        self.path = path
        self.files = files
        self.skipped = skipped
    }

    /// The file with this repository-relative path, if the snapshot has one.
    public func file(at path: String) -> GitFile? {
        files.first { $0.path == path }
    }
}
