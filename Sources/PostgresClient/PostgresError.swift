/// An error from the database or from talking to it.
///
/// Keeps what PostgreSQL said (SQLSTATE, message, detail, hint, the object it names) and the statement
/// that failed. The ``description`` is one readable sentence without the statement; ``debugDescription``
/// adds it (what `--verbose` prints). Neither ever contains a password: messages that could echo a
/// connection string pass through ``Redaction`` first.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is, independent of the server's SQLSTATE.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case connectionFailed, connectionLost, connectionClosed, queryFailed,
            cancelled, badParameter, decoding, badConnectionString }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection could not be opened (refused, authentication, unknown host or database).
        public static let connectionFailed = Code(.connectionFailed)
        /// An open connection broke while in use: the server restarted, the network dropped.
        public static let connectionLost = Code(.connectionLost)
        /// The connection was closed by warden before the call.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        public static let queryFailed = Code(.queryFailed)
        /// The statement was cancelled (``PostgresConnection/cancel()`` or task cancellation).
        public static let cancelled = Code(.cancelled)
        /// A parameter could not be sent (a NUL character, which PostgreSQL text cannot hold).
        public static let badParameter = Code(.badParameter)
        /// A value could not be decoded into the Swift type asked for.
        public static let decoding = Code(.decoding)
        /// The connection string or URI does not parse.
        public static let badConnectionString = Code(.badConnectionString)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE, when the server sent one (`23505`, `55P03`, `57014`…).
    public var sqlState: SQLState?
    /// The primary message: the server's, or warden's own sentence.
    public var message: String
    /// The server's DETAIL line.
    public var detail: String?
    /// The server's HINT line, or warden's advice on what to do.
    public var hint: String?
    /// The schema, table, column or constraint the server named, when it named one.
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?
    /// The statement that failed (already redacted of secrets), for `--verbose`.
    public var statement: String?

    public init(
        code: Code, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
        statement: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    /// True when retrying the same work later can succeed: a lock timeout, a cancelled statement, a
    /// serialization failure or deadlock, a dropped connection, a server shutting down or starting up.
    public var isTransient: Bool {
        if code == .connectionLost || code == .connectionFailed { return true }
        guard let state = sqlState else { return false }
        return state == .lockNotAvailable || state == .queryCanceled || state == .serializationFailure
            || state == .deadlockDetected || state.class == "08" || state.class == "57"
    }

    public var description: String {
        var text = message
        if let sqlState { text = "\(text) [SQLSTATE \(sqlState.rawValue)]" }
        if let detail, !detail.isEmpty { text += " — \(detail)" }
        if let hint, !hint.isEmpty { text += " Hint: \(hint)" }
        return text
    }

    public var debugDescription: String {
        guard let statement, !statement.isEmpty else { return description }
        return description + "\n  statement: " + statement
    }
}

/// A SQLSTATE code, kept open so any code the server sends can be represented.
public struct SQLState: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The two-character class (`08` connection exception, `23` integrity, `42` syntax or access…).
    public var `class`: String { String(rawValue.prefix(2)) }
    public var description: String { rawValue }

    public static let uniqueViolation: SQLState = "23505"
    public static let lockNotAvailable: SQLState = "55P03"
    public static let queryCanceled: SQLState = "57014"
    public static let serializationFailure: SQLState = "40001"
    public static let deadlockDetected: SQLState = "40P01"
    public static let undefinedTable: SQLState = "42P01"
    public static let undefinedObject: SQLState = "42704"
    public static let duplicateObject: SQLState = "42710"
    public static let duplicateTable: SQLState = "42P07"
    public static let invalidTextRepresentation: SQLState = "22P02"
    public static let insufficientPrivilege: SQLState = "42501"
    public static let objectInUse: SQLState = "55006"
}
