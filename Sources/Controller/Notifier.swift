import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON webhooks on what the controller does (DESIGN.md §7): drift found, plan blocked, apply started,
/// succeeded or failed, each posted as one ``WebhookPayload`` (docs/WEBHOOKS.md). Delivery runs beside
/// the loop, never in it: each event is posted with a timeout
/// and a bounded number of retries with backoff, and at most ``maxPending`` deliveries wait at once (the
/// oldest are dropped, with a log line, beyond that).
public actor Notifier {
    public typealias Event = ControllerConfiguration.Event

    /// A webhook: where to post and which events (all when empty).
    public struct Webhook: Sendable {
        public var url: URL
        public var events: Set<Event>
        /// The URL as logs may show it (a webhook URL often carries a secret).
        public var redacted: String

        public init(url: URL, events: Set<Event> = [], redacted: String) {
            self.url = url
            self.events = events
            self.redacted = redacted
        }

        /// The webhooks of a controller configuration (invalid URLs were refused when it loaded).
        public static func from(_ configuration: ControllerConfiguration.Notifications) -> [Webhook] {
            configuration.webhooks.compactMap { hook in
                URL(string: hook.url).map { Webhook(url: $0, events: Set(hook.events), redacted: hook.redactedURL) }
            }
        }
    }

    public static let maxPending = 64

    private let webhooks: [Webhook]
    private let timeout: Duration
    private let retries: Int
    private let logger: Logger
    /// The host name every payload names (``WebhookPayload/host``).
    public nonisolated let host: String
    private var pending = 0
    /// Deliveries that succeeded and failed for good, for status and tests.
    public private(set) var delivered = 0
    public private(set) var failed = 0

    public init(webhooks: [Webhook], timeout: Duration = .seconds(5), retries: Int = 3, host: String, logger: Logger) {
        self.webhooks = webhooks
        self.timeout = timeout
        self.retries = max(0, retries)
        self.host = host
        self.logger = logger
    }

    /// Posts `payload` to every webhook that wants its event; returns at once.
    public nonisolated func notify(_ payload: WebhookPayload) {
        Task { await self.enqueue(payload) }
    }

    private func enqueue(_ payload: WebhookPayload) {
        let event = payload.event
        let data = payload.json()
        for webhook in webhooks where webhook.events.isEmpty || webhook.events.contains(event) {
            guard pending < Self.maxPending else {
                logger.warning("notification \(event.rawValue) to \(webhook.redacted) dropped: \(pending) deliveries already waiting")
                continue
            }
            pending += 1
            Task { await self.deliver(data, event: event, to: webhook) }
        }
    }

    private func deliver(_ body: Data, event: Event, to webhook: Webhook) async {
        defer { pending -= 1 }
        var request = URLRequest(url: webhook.url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("warden", forHTTPHeaderField: "User-Agent")
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.httpBody = body
        var attempt = 0
        while true {
            attempt += 1
            var problem: String
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) {
                    delivered += 1
                    return
                }
                problem = "HTTP \(status)"
            } catch {
                problem = error.localizedDescription
            }
            guard attempt <= retries else {
                failed += 1
                logger.warning("notification \(event.rawValue) to \(webhook.redacted) failed after \(attempt) attempts: \(problem)")
                return
            }
            let delay = min(10_000, 250 << (attempt - 1))
            try? await Task.sleep(for: .milliseconds(Int.random(in: delay / 2...delay)))
        }
    }
}
