import Controller
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import Prometheus
import ServiceLifecycle

/// The controller's HTTP surface (DESIGN.md §7): health and readiness probes, Prometheus metrics, the
/// JSON API, the mutating endpoints behind a bearer token, and the status page.
///
/// A `Service`: run it in the executable's `ServiceGroup` beside the controller loop; graceful shutdown
/// stops accepting connections and finishes the requests in flight.
public struct StatusServer: Service {
    let api: any ControllerAPI
    let registry: PrometheusCollectorRegistry
    let token: String?
    /// The address to bind (`127.0.0.1`, `0.0.0.0`, `::1`, a host name).
    public let host: String
    /// The port to bind; 0 lets the system pick one, which ``boundPort()`` then tells.
    public let port: Int
    let logger: Logger
    /// How many sockets it keeps and for how long.
    public let limits: SocketLimits
    private let listening = ListeningPort()

    /// - Parameters:
    ///   - api: The controller the routes read from and pass requests to.
    ///   - registry: The registry `GET /metrics` exports (the one ``StatusServer/metricsFactory(registry:)``
    ///     made the controller's ``WardenMetrics`` with).
    ///   - token: The bearer token of the mutating endpoints (`POST /api/v1/…`); `nil` disables them (403).
    ///   - host: The address to bind.
    ///   - port: The port to bind; 0 for any free port.
    ///   - logger: For the server's own log lines; requests are logged at debug level, never their tokens.
    ///   - limits: How many waiting connections it keeps and for how long (idle and slow clients are closed).
    public init(
        api: any ControllerAPI, registry: PrometheusCollectorRegistry, token: String?, host: String = "127.0.0.1",
        port: Int = 9188, logger: Logger, limits: SocketLimits = SocketLimits()
    ) {
        self.limits = limits
        self.api = api
        self.registry = registry
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Serves until the task is cancelled or the service group shuts down gracefully.
    public func run() async throws {
        do {
            try await makeApplication().run()
            listening.closed()
        } catch {
            listening.failed(error)
            throw error
        }
    }

    /// The port the server listens on, once it does: the one asked for, or the one the system picked for
    /// port 0. Waits until ``run()`` has bound its socket; throws if it could not.
    public func boundPort() async throws -> Int {
        try await listening.port()
    }

    /// The Hummingbird application: the router, bound to ``host`` and ``port``. For ``run()``, and for
    /// tests that drive it through `HummingbirdTesting`.
    public func makeApplication() -> some ApplicationProtocol {
        let listening = self.listening
        let waiting = WaitingConnections(maximum: limits.maximumWaiting)
        let requestTimeout = limits.requestTimeout
        return Application(
            router: makeRouter(),
            server: .http1(configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ConnectionWatch(waiting: waiting, requestTimeout: requestTimeout)],
                idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in listening.opened(port: channel.localAddress?.port) },
            logger: logger)
    }

    /// A swift-prometheus factory over `registry` with warden's histogram buckets (reconcile passes take
    /// seconds to hours, swap locks milliseconds); give it to ``WardenMetrics/init(factory:)``.
    public static func metricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = WardenMetrics.durationBuckets
        return factory
    }
}
