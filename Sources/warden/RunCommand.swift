import ArgumentParser
import Controller
import Dispatch
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import StatusServer

#if canImport(Glibc)
import Glibc
#endif

extension Warden {
    /// `warden run`: the controller (DESIGN.md §7).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the controller: poll the schema repository, reconcile drift inside the maintenance windows, serve status on HTTP. SIGTERM finishes the step in flight and releases the lock.")

        @Option(help: ArgumentHelp("The controller configuration (see controller/warden.yaml).", valueName: "FILE"))
        var config: String
        @Flag(help: "Run one pass, print the status as JSON and exit: 0 in sync or applied, 2 drift left (blocked or report mode), 1 error or stalled.")
        var once = false
        @Option(help: ArgumentHelp("Rehearse as if now were TIME (RFC 3339); the clock runs on from there. For drills and tests.", valueName: "TIME"))
        var at: String?

        func validate() throws {
            if let at, AsOfOptions.parseTime(at) == nil {
                throw ValidationError("--at must be an RFC 3339 time like 2026-11-29T02:30:00-06:00, not '\(at)'")
            }
        }

        func run() async throws {
            let configuration: ControllerConfiguration
            let token: String?
            do {
                configuration = try ControllerConfiguration.load(file: config)
                token = try configuration.readToken()
            } catch let error as ConfigurationError {
                for problem in error.problems { printError(problem.description, prefixed: false) }
                throw ExitCode(1)
            }
            let level = configuration.log.level
            let json = configuration.log.format == .json
            LoggingSystem.bootstrap { label in
                var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "warden.controller")
            for warning in configuration.warnings { logger.warning("\(warning)") }
            if let raised = ProcessLimits.raiseOpenFileLimit() { logger.debug("open files: soft limit raised to \(raised)") }

            let registry = PrometheusCollectorRegistry()
            let metrics = WardenMetrics(factory: StatusServer.metricsFactory(registry: registry))
            let notifier = configuration.notifications.webhooks.isEmpty ? nil : Notifier(
                webhooks: Notifier.Webhook.from(configuration.notifications), timeout: configuration.notifications.timeout,
                retries: configuration.notifications.retries, host: ProcessInfo.processInfo.hostName, logger: logger)
            let clock = AsOfOptions.clock(startingAt: at)
            let loop = ReconcileLoop(
                settings: ReconcileLoop.Settings(
                    source: configuration.source.desiredState, interval: configuration.source.interval,
                    resync: configuration.reconcile.resync, mode: configuration.reconcile.mode,
                    database: configuration.database.connection(), now: clock),
                metrics: metrics, notifier: notifier, logger: logger)

            if once {
                await loop.run(once: true)
                let status = await loop.status()
                print(status.json())
                switch status.phase {
                case .stalled, .degraded, .starting: throw ExitCode(1)
                case .blockedByWindow, .suspended: throw ExitCode(2)
                case .idle where status.condition(Condition.Kind.inSync)?.status == Condition.Status.false: throw ExitCode(2)
                default: return
                }
            }

            let server = StatusServer(
                api: loop, registry: registry, token: token, host: configuration.http.host, port: configuration.http.port,
                logger: Logger(label: "warden.http"))
            // The services stop in the reverse of this order: first the loop (the step in flight finishes, the
            // lock is released), then the status server, gracefully (no connection is cut mid-request, and
            // nothing is logged as an error).
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: server),
                    .init(service: ReconcileService(loop: loop), successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
            // SIGTERM and SIGINT: finish the step in flight, release the lock, stop serving.
            signal(SIGTERM, SIG_IGN)
            signal(SIGINT, SIG_IGN)
            let signals = [SIGTERM, SIGINT].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    logger.notice("signal \(number): finishing the step in flight, then stopping")
                    Task { await group.triggerGracefulShutdown() }
                }
                source.resume()
                return source
            }
            defer { signals.forEach { $0.cancel() } }
            let announcement = Task {
                guard let port = try? await server.boundPort() else { return }
                logger.notice("status on http://\(configuration.http.host):\(port)/ (pid \(getpid()))")
            }
            defer { announcement.cancel() }
            try await group.run()
            logger.info("status server stopped")
        }
    }
}

/// One JSON object per log line (`log.format: json`), for log shippers.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue, "logger": label,
            "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { object[key] = value.description }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

/// The process limits `warden run` adjusts at start.
enum ProcessLimits {
    /// Raises the soft limit of open files to the hard one (as Go programs do at start): systemd's
    /// default soft limit of 1024 is low for a server that also reads git and holds database sessions.
    /// Returns the new limit, or `nil` when it was not changed.
    static func raiseOpenFileLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return nil }
        let wanted = min(limit.rlim_max, 1 << 20)
        guard wanted > limit.rlim_cur else { return nil }
        limit.rlim_cur = wanted
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? UInt64(wanted) : nil
    }
}
