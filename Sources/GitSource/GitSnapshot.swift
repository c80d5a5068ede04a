/// The files under one folder of a repository at one commit, read from git objects, never a work tree.
public struct GitSnapshot: Sendable, Hashable {
    /// The commit the files were read at.
    public var commit: CommitInfo
    /// The folder that was asked for, normalised: no leading `./` or `/`, no trailing `/`; `""` is the whole tree.
    public var path: String
    /// Every regular file under ``path``, recursively, sorted by ``GitFile/path``.
    ///
    /// Symbolic links and submodules are not files and are left out.
    public var files: [GitFile]

    /// Creates a snapshot.
    public init(commit: CommitInfo, path: String, files: [GitFile]) {
        self.commit = commit
        self.path = path
        self.files = files
    }

    /// The file with this repository-relative path, if the snapshot has one.
    public func file(at path: String) -> GitFile? {
        files.first { $0.path == path }
    }
}
