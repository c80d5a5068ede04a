import Foundation
import Planner

/// A test hook: hold the executor still at one chosen point so a test can kill it there
/// (`Tests/WardenCLITests/CrashRecoveryTests.swift`).
///
/// Set `WARDEN_TEST_PAUSE_BEFORE=<phase>[:<n>]` (`prepare`, `swap` or `cleanup`; `n` defaults to 1) and
/// optionally `WARDEN_TEST_PAUSE_MS` (default 5000): the executor sleeps that long before it starts the
/// `n`-th step of that phase (counted in the order steps start), once per run. Nothing else changes: no
/// lock or transaction is held while it sleeps, so it only stretches the gap between two steps. Unset,
/// it costs one environment lookup per apply. Not for production use.
struct TestPause: Sendable {
    let phase: PlanStep.Phase
    let ordinal: Int
    let milliseconds: Int

    /// The pause the environment asks for, or `nil` (the normal case).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TestPause? {
        guard let spec = environment["WARDEN_TEST_PAUSE_BEFORE"], !spec.isEmpty else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let phase = PlanStep.Phase(rawValue: parts[0]) else { return nil }
        let ordinal = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        let milliseconds = environment["WARDEN_TEST_PAUSE_MS"].flatMap { Int($0) } ?? 5000
        return TestPause(phase: phase, ordinal: max(1, ordinal), milliseconds: max(0, milliseconds))
    }

    /// Counts the steps of the paused phase as they start.
    actor Counter {
        private var started = 0
        /// Whether the step about to start is the one to pause before.
        func isPausePoint(_ pause: TestPause, _ step: PlanStep) -> Bool {
            guard step.phase == pause.phase else { return false }
            started += 1
            return started == pause.ordinal
        }
    }

    /// Sleeps if `step` is the step to pause before.
    func before(_ step: PlanStep, counter: Counter) async {
        guard await counter.isPausePoint(self, step) else { return }
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
}
