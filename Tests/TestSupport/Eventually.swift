/// Polls `condition` every 100 ms until it holds or `timeout` passes (a hang guard: the event decides,
/// never the clock); returns whether it held.
public func eventually(_ timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
