/// An error of the desired-state layer that is not a problem of the repository's content: the folder
/// to read is missing or unreadable.
public struct DesiredStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The folder does not exist or is not a folder.
        case folderNotFound
        /// A file or folder could not be read.
        case unreadable
    }

    /// What went wrong.
    public var code: Code
    /// The path concerned.
    public var path: String
    /// One sentence with the object and the fix.
    public var message: String

    /// An error.
    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
