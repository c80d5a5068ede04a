import PostgresClient
import Synchronization

/// Runs catalog queries on several connections at once: each connection takes the next job when it
/// is free, so the server works on one query per connection while the client parses the last result.
enum ConnectionPool {
    /// A job: one query (or a few) on the connection it is given, and the parsing of the result.
    typealias Job = @Sendable (PostgresConnection) async throws -> Void

    /// Runs `jobs` in order of submission over `connections`; returns when all are done, or throws the
    /// first error (the others are cancelled).
    static func run(_ jobs: [Job], on connections: [PostgresConnection]) async throws {
        guard !jobs.isEmpty else { return }
        let queue = Slot(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections.prefix(jobs.count) {
                group.addTask {
                    while true {
                        let index = queue.take()
                        guard index < jobs.count else { return }
                        try await jobs[index](connection)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A result a job hands back to the session.
final class Slot<Value: Sendable>: Sendable {
    fileprivate let storage: Mutex<Value>

    init(_ initial: Value) { storage = Mutex(initial) }

    var value: Value {
        get { storage.withLock { $0 } }
    }

    func set(_ value: Value) { storage.withLock { $0 = value } }

    func update(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}

extension Slot where Value == Int {
    /// The current value, incremented for the next caller.
    func take() -> Int {
        storage.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
