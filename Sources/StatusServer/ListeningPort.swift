import Synchronization

/// The port a server bound, for whoever waits for it (tests listening on port 0).
final class ListeningPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case open(Int)
        case failed(any Error)
    }

    /// Why there is no port to tell.
    struct NotListening: Error, CustomStringConvertible {
        var description: String
    }

    private let state = Mutex<State>(.waiting([]))

    /// The port, once bound; throws if the server failed or stopped first.
    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                case .open(let port):
                    continuation.resume(returning: port)
                case .failed(let error):
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func opened(port: Int?) {
        guard let port else {
            failed(NotListening(description: "the server's socket has no port"))
            return
        }
        resolve(.open(port))
    }

    func failed(_ error: any Error) { resolve(.failed(error)) }

    /// The server stopped: waiters that never saw it listen learn so.
    func closed() { resolve(.failed(NotListening(description: "the status server stopped before it listened"))) }

    private func resolve(_ final: State) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = final
            return waiters
        }
        for waiter in waiters {
            switch final {
            case .open(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .waiting: break
            }
        }
    }
}
