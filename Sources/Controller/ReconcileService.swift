import ServiceLifecycle

/// The reconcile loop as a `Service` of the executable's `ServiceGroup`: a graceful shutdown (SIGTERM)
/// stops the loop after the step in flight and releases the lock; the group then stops the services
/// listed before it (the status server), so status is served until the loop is done.
public struct ReconcileService: Service {
    let loop: ReconcileLoop

    public init(loop: ReconcileLoop) { self.loop = loop }

    /// Runs the loop until a graceful shutdown (or cancellation) and the loop's own ending.
    public func run() async throws {
        let loop = self.loop
        await withGracefulShutdownHandler {
            await loop.run()
        } onGracefulShutdown: {
            Task { await loop.stop() }
        }
    }
}
