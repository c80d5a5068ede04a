/// An error of the catalog stage: the live warehouse could not be read as asked.
///
/// Errors from the server itself (a lost connection, a missing privilege) pass through unchanged as
/// `PostgresError`, with their SQLSTATE; this type covers what the catalog reader itself finds wrong.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, independent of the wording.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server answered with something the reader cannot understand (a catalog value in an
        /// unexpected shape).
        public static let unexpectedCatalogValue = Code("unexpectedCatalogValue")
        /// ``CatalogReader/read(_:options:)-(([PostgresConnection],_))`` was given no connection.
        public static let noConnection = Code("noConnection")

        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// One sentence naming the object and what to do.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
