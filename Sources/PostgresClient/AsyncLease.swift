import Synchronization

/// A fair async mutex that a task tree may re-enter: what lets a transaction hold its connection while the
/// statements inside it run, and makes everyone else wait their turn.
final class AsyncLease: Sendable {
    /// The leases the current task tree holds.
    @TaskLocal private static var held: Set<ObjectIdentifier> = []

    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func withLease<T>(owner: ObjectIdentifier, _ body: () async throws -> T) async throws -> T {
        if Self.held.contains(owner) { return try await body() }
        await acquire()
        do {
            let result = try await Self.$held.withValue(Self.held.union([owner])) { try await body() }
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
