import Controller
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import StatusServer
import Synchronization
import Testing

/// A log handler that keeps every line with its metadata, at every level.
final class CollectingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(metadata)") }
    }
}

@Suite("status server: request logs and methods")
struct RequestLogTests {
    @Test("at debug level, a request's query string (a ?token=) is never logged; its path and status are")
    func queryStringsNotLogged() async throws {
        let handler = CollectingLogHandler()
        let logger = Logger(label: "warden.test") { _ in handler }
        let server = StatusServer(
            api: FakeController(), registry: PrometheusCollectorRegistry(), token: token, host: "127.0.0.1", port: 0, logger: logger)
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/status?token=\(token)", method: .get) { _ in }
            try await client.execute(uri: "/api/v1/reconcile?token=\(token)", method: .post) { response in
                #expect(response.status == .unauthorized)
            }
        }
        let lines = handler.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("GET /api/v1/status 200") }, "\(lines)")
        #expect(lines.contains { $0.contains("POST /api/v1/reconcile 401") }, "\(lines)")
        #expect(!lines.contains { $0.contains(token) || $0.contains("token=") }, "\(lines)")
    }

    @Test("a known path asked with the wrong method: 405 with Allow, not 404", arguments: [
        ("/api/v1/reconcile", HTTPRequest.Method.get, "POST"), ("/api/v1/suspend", .get, "POST"),
        ("/api/v1/status", .post, "GET"), ("/healthz", .delete, "GET"),
    ])
    func wrongMethod(uri: String, method: HTTPRequest.Method, allow: String) async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: uri, method: method) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == allow)
            }
            try await client.execute(uri: "/api/v1/nothing-here", method: method) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(await fake.reconcileRequests == 0)
    }
}
