import PostgresClient
import Synchronization

/// Runs catalog queries on several connections at once: each connection takes the next job when it is
/// free, so the server works on one query per connection while the client parses the last result.
///
/// A job may add jobs while it runs; ``run(_:on:)`` returns when the queue is empty and no job is
/// running.
final class ConnectionPool: Sendable {
    /// A job: one query (or a few) on the connection it is given, and the parsing of the result.
    typealias Job = @Sendable (PostgresConnection) async throws -> Void

    private struct State {
        var jobs: [Job] = []
        var next = 0
        var running = 0
        var failed = false
        var idle: [CheckedContinuation<Job?, Never>] = []
    }
    private let state = Mutex(State())

    /// Runs `jobs` (and whatever they add) over `connections`; returns when all are done, or throws the
    /// first error (the other connections stop taking jobs).
    static func run(_ jobs: [Job], on connections: [PostgresConnection]) async throws {
        try await ConnectionPool().run(jobs, on: connections)
    }

    func run(_ jobs: [Job], on connections: [PostgresConnection]) async throws {
        add(jobs)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    while let job = await self.take() {
                        do {
                            try await job(connection)
                        } catch {
                            self.fail()
                            throw error
                        }
                        self.done()
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Queues jobs behind those still waiting.
    func add(_ jobs: [Job]) {
        let woken = state.withLock { state -> [(CheckedContinuation<Job?, Never>, Job)] in
            guard !state.failed else { return [] }
            state.jobs += jobs
            var woken: [(CheckedContinuation<Job?, Never>, Job)] = []
            while !state.idle.isEmpty && state.next < state.jobs.count {
                woken.append((state.idle.removeFirst(), state.jobs[state.next]))
                state.next += 1
                state.running += 1
            }
            return woken
        }
        for (continuation, job) in woken { continuation.resume(returning: job) }
    }

    /// The next job, waiting while others run (they may add more); `nil` when everything is done.
    private func take() async -> Job? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Job?, Never>) in
            let answer = state.withLock { state -> Job?? in
                if state.failed { return .some(nil) }
                if state.next < state.jobs.count {
                    defer { state.next += 1 }
                    state.running += 1
                    return .some(state.jobs[state.next])
                }
                if state.running == 0 { return .some(nil) }
                state.idle.append(continuation)
                return .none
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// A job finished: when nothing is left to run or queue, the waiting connections are released.
    private func done() {
        let released = state.withLock { state -> [CheckedContinuation<Job?, Never>] in
            state.running -= 1
            guard state.running == 0, state.next >= state.jobs.count else { return [] }
            defer { state.idle = [] }
            return state.idle
        }
        for continuation in released { continuation.resume(returning: nil) }
    }

    /// A job failed: no more jobs are handed out.
    private func fail() {
        let released = state.withLock { state -> [CheckedContinuation<Job?, Never>] in
            state.failed = true
            defer { state.idle = [] }
            return state.idle
        }
        for continuation in released { continuation.resume(returning: nil) }
    }
}
