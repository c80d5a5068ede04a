/// One file of the schema repository: its repository-relative path and its exact bytes.
///
/// A `GitSnapshot`'s files and a folder walk (``DesiredStateLoader/files(inFolder:)``) both become
/// these, so the loader never knows where its input came from.
public struct SourceFile: Sendable, Hashable {
    /// The path from the repository root with `/` separators, e.g. `desired-state/warehouse.yaml`.
    public var path: String
    /// The bytes exactly as committed or stored.
    public var contents: [UInt8]

    /// A file with these bytes.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
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
