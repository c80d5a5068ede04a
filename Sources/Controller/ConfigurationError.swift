/// Why a controller configuration cannot be used: every problem found, each one sentence at its place.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem: where it is, the key it is about, and what to do.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The configuration file (or the token file) as given.
        public var file: String
        /// 1-based line and column; line 1, column 1 for problems of the whole file.
        public var line: Int
        public var column: Int
        /// The key as a path (`source.interval`, `notifications.webhooks[1].events`); empty for the whole file.
        public var key: String
        /// One sentence: what is wrong and the fix.
        public var message: String

        public init(file: String, line: Int, column: Int, key: String, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.key = key
            self.message = message
        }

        /// `controller/warden.yaml:7:13: source.interval '30x' has the unknown unit 'x'; …`
        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
