import Foundation
import Testing

/// The trait of every suite that needs the shared PostgreSQL cluster or starts a process: at most
/// ``IntegrationGate/limit`` of their tests run at once.
///
/// Without it Swift Testing starts all ~400 tests at once on one cluster: on 2 cores the tests that started
/// first were starved by the rest (issue 11) and a test's time limit measured the whole suite's load, not
/// the test. With it each test runs with the machine shared by a few others only, so the suite is faster,
/// and a time limit (``Trait/hangGuard``) is only what it should be: a guard against a hang.
public struct IntegrationTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// A permit per test function, or per case of a parameterized one, never per suite.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        if test.isSuite { return nil }
        if testCase == nil && test.isParameterized { return nil }
        return self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await IntegrationGate.shared.withPermit { try await function() }
    }
}

extension Trait where Self == IntegrationTrait {
    /// Needs the test cluster or a subprocess: run under the ``IntegrationGate``.
    public static var integration: Self { IntegrationTrait() }
}

extension Trait where Self == TimeLimitTrait {
    /// The time limit of every suite: a guard against a hang, far above the whole suite's worst honest run
    /// (4 minutes on 2 cores under load, build excluded), never a speed requirement.
    public static var hangGuard: Self { .timeLimit(.minutes(20)) }
}

/// A counting semaphore for integration tests, first come first served.
///
/// Reentrant within a task tree (a task-local marks the holder), so a test that nests worlds or runs
/// child tasks never waits for a permit it already holds.
public actor IntegrationGate {
    /// How many integration tests run at once: `WARDEN_TEST_CONCURRENCY`, else the processor count plus
    /// one (measured on 2 cores: 3 at once is faster than 6, and much faster than all at once).
    public static let limit: Int = {
        if let text = ProcessInfo.processInfo.environment["WARDEN_TEST_CONCURRENCY"], let value = Int(text), value > 0 {
            return value
        }
        return ProcessInfo.processInfo.activeProcessorCount + 1
    }()

    public static let shared = IntegrationGate(limit: limit)

    @TaskLocal static var holding = false

    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) { available = max(1, limit) }

    /// Runs `body` once a permit is free, and frees it afterwards whether `body` threw or not.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if Self.holding { return try await body() }
        await acquire()
        do {
            let value = try await Self.$holding.withValue(true) { try await body() }
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            // The permit passes straight to the longest waiter.
            waiting.removeFirst().resume()
        }
    }
}
