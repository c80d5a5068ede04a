import Controller
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import StatusServer

@Suite("status server: the mutating endpoints need the bearer token")
struct MutatingRouteTests {
    static let routes = ["/api/v1/reconcile", "/api/v1/suspend", "/api/v1/resume", "/api/v1/webhook/git"]

    /// A body every route accepts (suspend needs a reason).
    static func body(for uri: String) -> ByteBuffer? {
        uri.hasSuffix("suspend") ? ByteBuffer(string: #"{"reason": "month-end close"}"#) : nil
    }

    /// How many calls of each kind the fake saw.
    static func calls(_ fake: FakeController) async -> Int {
        await fake.reconcileRequests + fake.suspensions.count + fake.resumes + fake.webhooks
    }

    @Test("without an Authorization header: 401 with WWW-Authenticate: Bearer, and nothing happens", arguments: routes)
    func missingToken(uri: String) async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: uri, method: .post, body: Self.body(for: uri)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="warden""#)
            }
            try await client.execute(
                uri: uri, method: .post, headers: [.authorization: "Basic d2FyZGVuOnB3"], body: Self.body(for: uri)
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(await Self.calls(fake) == 0)
    }

    @Test("with a wrong token: 401 with error=invalid_token, and nothing happens", arguments: routes)
    func wrongToken(uri: String) async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            for wrong in ["Bearer wrong", "Bearer \(token)x", "Bearer \(token.dropLast())", "Bearer "] {
                try await client.execute(
                    uri: uri, method: .post, headers: [.authorization: wrong], body: Self.body(for: uri)
                ) { response in
                    #expect(response.status == .unauthorized, "\(wrong)")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"warden\"") == true)
                }
            }
        }
        #expect(await Self.calls(fake) == 0)
    }

    @Test("with the right token the request reaches the controller", arguments: routes)
    func rightToken(uri: String) async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(
                uri: uri, method: .post, headers: [.authorization: "Bearer \(token)"], body: Self.body(for: uri)
            ) { response in
                #expect((200...299).contains(response.status.code), "\(response.status)")
            }
        }
        #expect(await Self.calls(fake) == 1)
        switch uri {
        case "/api/v1/reconcile": #expect(await fake.reconcileRequests == 1)
        case "/api/v1/suspend": #expect(await fake.suspensions == ["month-end close"])
        case "/api/v1/resume": #expect(await fake.resumes == 1)
        default: #expect(await fake.webhooks == 1)
        }
    }

    @Test("the scheme is case-insensitive, as RFC 7235 says")
    func schemeCaseInsensitive() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/reconcile", method: .post, headers: [.authorization: "bearer \(token)"]) {
                #expect($0.status == .accepted)
            }
        }
    }

    @Test("without a configured token the endpoints are disabled (403), never open", arguments: routes)
    func noTokenConfigured(uri: String) async throws {
        let fake = FakeController()
        try await makeServer(fake, token: nil).makeApplication().test(.router) { client in
            for header in ["Bearer ", "Bearer anything"] {
                try await client.execute(
                    uri: uri, method: .post, headers: [.authorization: header], body: Self.body(for: uri)
                ) { response in
                    #expect(response.status == .forbidden)
                    let json = try object(response)
                    #expect(json["error"] as? String
                        == "mutating endpoints are disabled; set http.tokenFile in the controller configuration to enable them")
                }
            }
        }
        #expect(await Self.calls(fake) == 0)
    }

    @Test(
        "suspend without a reason is 400 and suspends nothing",
        arguments: ["", "{}", #"{"reason": ""}"#, #"{"reason": "   \n"}"#, #"{"reason": null}"#, "not json", #"["a"]"#])
    func suspendNeedsAReason(body: String) async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/suspend", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .badRequest)
                let message = try #require(try object(response)["error"] as? String)
                #expect(message.contains(#"{"reason": "#), "\(message)")
            }
        }
        #expect(await fake.suspensions.isEmpty)
    }

    @Test("suspend answers with the new status: phase suspended, with the reason and since when")
    func suspendAnswersWithStatus() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/suspend", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"reason": "  month-end close, ask #data-platform  "}"#)
            ) { response in
                #expect(response.status == .ok)
                let json = try object(response)
                #expect(json["phase"] as? String == "suspended")
                let suspended = try #require(json["suspended"] as? [String: Any])
                #expect(suspended["reason"] as? String == "month-end close, ask #data-platform")
                #expect(suspended["since"] as? String == "2025-03-02T02:00:00Z")
            }
            try await client.execute(uri: "/api/v1/resume", method: .post, headers: [.authorization: "Bearer \(token)"]) {
                let json = try object($0)
                #expect(json["phase"] as? String == "idle")
            }
        }
    }

    @Test("a GET of a mutating endpoint does not trigger it")
    func getDoesNotMutate() async throws {
        let fake = FakeController()
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/reconcile", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == .notFound || $0.status == .methodNotAllowed)
            }
        }
        #expect(await Self.calls(fake) == 0)
    }

    @Test("token comparison: equal only for the same bytes, whatever the length")
    func constantTimeEqual() {
        typealias Middleware = BearerTokenMiddleware<BasicRequestContext>
        let secret = Array("s3cret".utf8)
        #expect(Middleware.constantTimeEqual(Array("s3cret".utf8), secret))
        #expect(!Middleware.constantTimeEqual(Array("s3cres".utf8), secret))
        #expect(!Middleware.constantTimeEqual(Array("s3cre".utf8), secret))
        #expect(!Middleware.constantTimeEqual(Array("s3cret\0".utf8), secret))
        #expect(!Middleware.constantTimeEqual([], secret))
        // Lengths that differ by a multiple of 256 still differ.
        #expect(!Middleware.constantTimeEqual(secret + Array(repeating: 0, count: 256), secret))
        #expect(Middleware.bearer("Bearer abc") == "abc")
        #expect(Middleware.bearer("BEARER  abc") == "abc")
        #expect(Middleware.bearer("Bearer") == nil)
        #expect(Middleware.bearer("Token abc") == nil)
    }
}
