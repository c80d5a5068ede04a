import Controller
import Executor
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import StatusServer
import Testing

let token = "right-token-4f9c2a7e1b"

func makeServer(
    _ fake: FakeController, token: String? = token, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> StatusServer {
    StatusServer(api: fake, registry: registry, token: token, host: "127.0.0.1", port: 0, logger: Logger(label: "warden.test"))
}

/// The body of a response as text.
func text(_ response: TestResponse) -> String { String(buffer: response.body) }

/// The body of a response as a JSON object.
func object(_ response: TestResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any])
}

@Suite("status server: probes and the read-only API")
struct ReadOnlyRouteTests {
    @Test("GET /healthz answers ok whatever the controller's state")
    func healthz() async throws {
        let fake = FakeController()
        await fake.set(ready: false, reason: "no database")
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(text(response) == "ok\n")
            }
        }
    }

    @Test("GET /readyz is 503 with the reason until the controller is ready, then 200")
    func readyz() async throws {
        let fake = FakeController()
        await fake.set(ready: false, reason: "the database warden@db.internal:5432/warehouse is unreachable")
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(text(response) == "not ready: the database warden@db.internal:5432/warehouse is unreachable\n")
            }
            await fake.set(ready: true, reason: nil)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("GET /api/v1/status has every key, null when empty, and the stable ones of DESIGN.md §8")
    func statusHasEveryKey() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let json = try object(response)
                #expect(Set(json.keys) == [
                    "leader", "phase", "mode", "revision", "lastAppliedRevision", "lastGoodRevision", "conditions",
                    "nextWindow", "suspended", "lastReconcile", "diagnostics",
                ])
                #expect(json["leader"] as? Bool == true)
                #expect(json["phase"] as? String == "idle")
                #expect(json["revision"] as? String == "0123456789abcdef0123456789abcdef01234567")
                #expect(json["nextWindow"] is NSNull)
                #expect(json["suspended"] is NSNull)
                #expect(json["lastAppliedRevision"] is NSNull)
                let conditions = try #require(json["conditions"] as? [[String: Any]])
                #expect(conditions.map { $0["type"] as? String } == [
                    "Ready", "GitReachable", "DatabaseReachable", "DesiredStateValid", "InSync", "Suspended", "Leader",
                ])
                for condition in conditions {
                    #expect(Set(condition.keys) == ["type", "status", "reason", "message", "lastTransitionTime"])
                }
                #expect(conditions[0]["status"] as? String == "True")
                #expect(conditions[0]["lastTransitionTime"] as? String == "2025-03-02T02:00:00Z")
            }
        }
    }

    @Test("a full status round-trips through its JSON")
    func statusRoundTrips() throws {
        var status = FakeController.sampleStatus
        status.phase = .blockedByWindow
        status.nextWindow = WindowView(
            name: "nightly", kind: .allow, start: FakeController.now.addingTimeInterval(3_600),
            end: FakeController.now.addingTimeInterval(7_200), active: false, manualSync: true)
        status.suspended = .init(reason: "month-end close", since: FakeController.now)
        status.lastReconcile = .init(at: FakeController.now, result: .blocked, seconds: 1.5, driftItems: 3, steps: 0)
        status.diagnostics = ["templates/a.yaml:3:5: unknown key"]
        let decoded = try JSONDecoder().decode(ControllerStatus.self, from: Data(status.json().utf8))
        #expect(decoded == status)
        #expect(status.json().contains(#""phase" : "blocked-by-window""#))
        #expect(status.json().contains(#""start" : "2025-03-02T03:00:00Z""#))
    }

    @Test("drift and plan are 503 before the first pass, then the controller's JSON as it is")
    func driftAndPlan() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            for uri in ["/api/v1/drift", "/api/v1/plan"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] != nil)
                    let json = try object(response)
                    #expect(json["error"] as? String != nil)
                }
            }
            await fake.set(drift: Samples.driftJSON, plan: #"{"version": 1, "steps": []}"#)
            try await client.execute(uri: "/api/v1/drift", method: .get) { response in
                #expect(response.status == .ok)
                let json = try object(response)
                #expect(json["version"] as? Int == 1)
                #expect((json["items"] as? [Any])?.count == 2)
            }
            try await client.execute(uri: "/api/v1/plan", method: .get) { response in
                #expect(text(response) == "{\"version\": 1, \"steps\": []}\n")
            }
        }
    }

    @Test("GET /api/v1/windows lists the windows ahead with RFC 3339 times")
    func windows() async throws {
        let fake = FakeController()
        await fake.set(windows: Samples.windows)
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/windows", method: .get) { response in
                let windows = try #require(try object(response)["windows"] as? [[String: Any]])
                #expect(windows.count == 2)
                #expect(Set(windows[0].keys) == ["name", "kind", "start", "end", "active", "manualSync", "timeZone"])
                #expect(windows[0]["start"] as? String == "2025-03-02T01:00:00Z")
                #expect(windows[0]["active"] as? Bool == true)
                #expect(windows[1]["kind"] as? String == "deny")
            }
        }
    }

    @Test("GET /api/v1/runs passes ?limit= on, refuses a bad one, and says why when the history cannot be read")
    func runs() async throws {
        let fake = FakeController()
        await fake.set(runs: Samples.runs)
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/runs?limit=1", method: .get) { response in
                #expect(response.status == .ok)
                let runs = try #require(try object(response)["runs"] as? [[String: Any]])
                #expect(runs.count == 1)
                #expect(runs[0]["runID"] as? Int == 42)
                #expect(runs[0]["finishedAt"] is NSNull)
            }
            try await client.execute(uri: "/api/v1/runs", method: .get) { response in
                #expect(response.status == .ok)
            }
            #expect(await fake.runLimits == [1, 20])
            for bad in ["0", "-3", "many", "100000"] {
                try await client.execute(uri: "/api/v1/runs?limit=\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest)
                }
            }
            await fake.set(runs: [], failing: true)
            try await client.execute(uri: "/api/v1/runs", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let json = try object(response)
                #expect(json["error"] as? String
                    == "cannot read _wh.warden_runs: connection to warden@db.internal:5432/warehouse refused")
            }
        }
    }

    @Test("an unknown path is 404")
    func unknownPath() async throws {
        try await makeServer(FakeController()).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite("status server: the live server")
struct LiveServerTests {
    @Test("run() on port 0 tells the port it bound and serves there until cancelled")
    func boundPortServes() async throws {
        let server = makeServer(FakeController())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.boundPort()
            #expect(port > 0)
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init())
            client.connect()
            let response = try await client.get("/healthz")
            #expect(response.status == .ok)
            #expect(response.body.map { String(buffer: $0) } == "ok\n")
            try await client.shutdown()
            group.cancelAll()
        }
    }

    @Test("the same routes work through the live framework")
    func liveFramework() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.live) { client in
            try await client.execute(
                uri: "/api/v1/reconcile", method: .post, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .accepted)
            }
        }
        #expect(await fake.reconcileRequests == 1)
    }
}
