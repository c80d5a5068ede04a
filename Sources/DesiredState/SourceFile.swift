/// One file of the schema repository: its repository-relative path and its exact bytes.
///
/// A `GitSnapshot`'s files and a folder walk (``DesiredStateLoader/files(inFolder:)``) both become
/// these, so the loader never knows where its input came from.
public struct SourceFile: Sendable, Hashable {
    /// The path from the repository root with `/` separators, e.g. `desired-state/warehouse.yaml`.
    public var path: String
    /// The bytes exactly as committed or stored.
    public var contents: [UInt8]
    /// What the entry is when it is not a file warden reads (`a symbolic link to '…'`, `a submodule`):
    /// never followed, and reported by the loader instead of being taken for absent.
    public var notAFile: String?

    /// A file with these bytes.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
        self.notAFile = nil
    }

    /// An entry that is not a file (a symbolic link, a submodule), described for the loader's error.
    public init(path: String, notAFile description: String) {
        self.path = path
        self.contents = []
        self.notAFile = description
    }

    /// A file holding `text` in UTF-8.
    public init(path: String, text: String) {
        self.init(path: path, contents: Array(text.utf8))
    }

    /// The contents as text, or `nil` when they are not valid UTF-8.
    public var text: String? {
        String(validating: contents, as: UTF8.self)
    }
}
