/// An error from GitSource: what went wrong, in one sentence that names the object and the fix.
///
/// ``code`` is an open struct, so new codes can be added without breaking a `switch` in a caller;
/// compare with `==` (`error.code == .unknownRef`). ``message`` never contains a password or token.
public struct GitError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case unknownRef
            case ambiguousRef
            case notACommit
            case pathNotFound
            case notARepository
            case ownership
            case unreachableRemote
            case authentication
            case certificate
            case cancelled
            case invalidArgument
            case libgit2(Int32)
        }

        private let kind: Kind

        private init(_ kind: Kind) { self.kind = kind }

        /// A branch, tag or commit id that does not exist in the repository.
        public static let unknownRef = Code(.unknownRef)
        /// An abbreviated commit id that matches more than one object.
        public static let ambiguousRef = Code(.ambiguousRef)
        /// A ref that exists but does not lead to a commit (for example a tag of a tree).
        public static let notACommit = Code(.notACommit)
        /// A path that does not exist at the commit asked for.
        public static let pathNotFound = Code(.pathNotFound)
        /// A folder that is not a git repository (work tree or bare), or does not exist.
        public static let notARepository = Code(.notARepository)
        /// A repository owned by another user, refused by libgit2's `safe.directory` check.
        public static let ownership = Code(.ownership)
        /// A remote that could not be reached: no such host, connection refused, no repository at that URL.
        public static let unreachableRemote = Code(.unreachableRemote)
        /// The remote asked for credentials and none were available, or it rejected the ones offered.
        public static let authentication = Code(.authentication)
        /// The remote's TLS certificate or SSH host key could not be verified.
        public static let certificate = Code(.certificate)
        /// The operation was cancelled (the calling task was cancelled during a fetch).
        public static let cancelled = Code(.cancelled)
        /// An argument that GitSource cannot use (an empty ref, a path with `..`, a folder where a file was asked for).
        public static let invalidArgument = Code(.invalidArgument)

        /// Any other libgit2 failure, with its `git_error_code` (a negative number such as -1 or -14).
        public static func libgit2(_ status: Int32) -> Code { Code(.libgit2(status)) }

        /// A short name for the code, such as `unknownRef` or `libgit2(-14)`.
        public var description: String {
            switch kind {
            case .unknownRef: "unknownRef"
            case .ambiguousRef: "ambiguousRef"
            case .notACommit: "notACommit"
            case .pathNotFound: "pathNotFound"
            case .notARepository: "notARepository"
            case .ownership: "ownership"
            case .unreachableRemote: "unreachableRemote"
            case .authentication: "authentication"
            case .certificate: "certificate"
            case .cancelled: "cancelled"
            case .invalidArgument: "invalidArgument"
            case .libgit2(let status): "libgit2(\(status))"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// One clear sentence naming the object and, where there is one, the fix.
    public var message: String
    /// libgit2's own message for the underlying failure, if there was one (for logs and debugging).
    public var libgit2Message: String?

    /// Creates an error.
    public init(code: Code, message: String, libgit2Message: String? = nil) {
        self.code = code
        self.message = message
        self.libgit2Message = libgit2Message
    }

    /// The message alone, ready to show to a user.
    public var description: String { message }

    /// The code, the message and libgit2's message.
    public var debugDescription: String {
        var text = "GitError(\(code)): \(message)"
        if let libgit2Message, !message.contains(libgit2Message) {
            text += " [libgit2: \(libgit2Message)]"
        }
        return text
    }
}
