import Foundation
import PostgresClient
import Synchronization

/// A reader of a view on its own connection, querying every 50 ms until stopped: what the tests use to
/// show that readers of the public view never fail (and how long they wait) while warden works.
public final class PublicViewReader: Sendable {
    /// What the reader saw.
    public struct Figures: Sendable {
        public var queries = 0
        public var errors: [String] = []
        /// The longest query, in seconds.
        public var longest = 0.0
    }

    private let state = Mutex(Figures())
    private let stopped = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init() {}

    /// Connects and starts querying `sql` every `interval`.
    ///
    /// With `lockTimeout`, the reader's session sets PostgreSQL's `lock_timeout`: a query that waits longer
    /// than that for any one lock fails and is counted in `errors`. That is how tests show "no wait over 1 s":
    /// PostgreSQL measures the lock wait itself, apart from the query's own run time, which on a loaded
    /// test machine says more about the machine than about warden (`longest` is printed, not asserted).
    public static func start(
        _ connectionString: String, sql: String = "SELECT count(*) FROM public.foodlogstats",
        every interval: Duration = .milliseconds(50), lockTimeout: Duration? = nil
    ) async throws -> PublicViewReader {
        let reader = PublicViewReader()
        let connection = try await PostgresConnection.connect(ConnectionConfiguration(connectionString, applicationName: "reader"))
        if let lockTimeout { try await connection.setLockTimeout(lockTimeout) }
        let task = Task {
            let clock = ContinuousClock()
            while !reader.stopped.load(ordering: .acquiring) {
                let start = clock.now
                do {
                    _ = try await connection.query(sql)
                    let elapsed = start.duration(to: clock.now)
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    reader.state.withLock { $0.queries += 1; $0.longest = max($0.longest, seconds) }
                } catch {
                    reader.state.withLock { $0.errors.append(String(describing: error)) }
                }
                try? await Task.sleep(for: interval)
            }
            await connection.close()
        }
        reader.task.withLock { $0 = task }
        return reader
    }

    /// Returns once the reader has finished `count` more queries (answered or failed) than it had when
    /// called: tests wait for the reader's own progress, never for a guess at how long a query takes.
    public func waitForQueries(_ count: Int = 1) async {
        let target = state.withLock { $0.queries + $0.errors.count } + count
        while state.withLock({ $0.queries + $0.errors.count }) < target, !stopped.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops querying, closes the connection and returns what the reader saw.
    public func stop() async -> Figures {
        stopped.store(true, ordering: .releasing)
        await task.withLock { $0 }?.value
        return state.withLock { $0 }
    }

    /// Runs `body` while a reader queries the public view every 50 ms, from its first answered query
    /// before `body` to one after it; returns `body`'s value and what the reader saw.
    public static func reading<T>(_ connectionString: String, during body: () async throws -> T) async throws -> (T, Figures) {
        let reader = try await start(connectionString)
        await reader.waitForQueries()
        let value: T
        do {
            value = try await body()
        } catch {
            _ = await reader.stop()
            throw error
        }
        await reader.waitForQueries()
        return (value, await reader.stop())
    }

    /// One line for the test log.
    public static func describe(_ figures: Figures) -> String {
        "\(figures.queries) queries, longest wait \(String(format: "%.1f", figures.longest * 1000)) ms, \(figures.errors.count) errors"
    }
}
