import Controller
import Executor
import Foundation
import Hummingbird
import Logging

extension StatusServer {
    /// The most runs `GET /api/v1/runs` returns at once, and how many it returns by default.
    static let maximumRuns = 500
    static let defaultRuns = 20
    /// The largest request body read (a suspend reason).
    static let maximumBody = 64 * 1024
    /// The longest suspend reason kept.
    static let maximumReason = 1_000

    /// The methods each path takes, for the 405 of a wrong one.
    static let routeMethods: [String: [HTTPRequest.Method]] = [
        "/healthz": [.get], "/readyz": [.get], "/metrics": [.get], "/": [.get],
        "/api/v1/status": [.get], "/api/v1/drift": [.get], "/api/v1/plan": [.get], "/api/v1/windows": [.get],
        "/api/v1/runs": [.get],
        "/api/v1/reconcile": [.post], "/api/v1/webhook/git": [.post], "/api/v1/suspend": [.post], "/api/v1/resume": [.post],
    ]

    /// Every route of DESIGN.md §7.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(methods: Self.routeMethods))
        let api = self.api
        let registry = self.registry

        router.get("healthz") { _, _ -> Response in
            Self.text("ok\n")
        }
        router.get("readyz") { _, _ -> Response in
            if await api.isReady() { return Self.text("ok\n") }
            let reason = await api.notReadyReason() ?? "the controller has not loaded a desired state or cannot reach the database"
            return Self.text("not ready: \(reason)\n", status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/") { _, _ -> Response in
            await StatusPage.response(api: api)
        }

        let read = router.group("api/v1")
        read.get("status") { _, _ -> Response in
            JSONBody.response(json: await api.status().json())
        }
        read.get("drift") { _, _ -> Response in
            guard let json = await api.driftJSON() else { return Self.noPassYet("drift report") }
            return JSONBody.response(json: json)
        }
        read.get("plan") { _, _ -> Response in
            guard let json = await api.planJSON() else { return Self.noPassYet("plan") }
            return JSONBody.response(json: json)
        }
        read.get("windows") { _, _ -> Response in
            JSONBody.response(encoding: ["windows": await api.windows()])
        }
        read.get("runs") { request, context -> Response in
            var limit = Self.defaultRuns
            if let text = request.uri.queryParameters.get("limit") {
                guard let value = Int(text), (1...Self.maximumRuns).contains(value) else {
                    return JSONBody.error(.badRequest, "limit must be a whole number from 1 to \(Self.maximumRuns)")
                }
                limit = value
            }
            do {
                return JSONBody.response(encoding: ["runs": try await api.runs(limit: limit)])
            } catch {
                context.logger.warning("cannot read the run history", metadata: ["error": "\(error)"])
                return JSONBody.error(.serviceUnavailable, "cannot read _wh.warden_runs: \(error)")
            }
        }

        let write = router.group("api/v1").add(middleware: BearerTokenMiddleware(token: token))
        write.post("reconcile") { _, _ -> Response in
            await api.requestReconcile()
            return JSONBody.response(.accepted, encoding: ["accepted": "a reconcile pass starts as soon as the one in flight ends"])
        }
        write.post("webhook/git") { _, _ -> Response in
            await api.gitWebhook()
            return JSONBody.response(.accepted, encoding: ["accepted": "the repository is fetched now"])
        }
        write.post("suspend") { request, context -> Response in
            let reason: String
            switch await Self.suspendReason(request) {
            case .success(let text): reason = text
            case .failure(let problem): return JSONBody.error(problem.status, problem.message)
            }
            context.logger.notice("reconciling suspended", metadata: ["reason": "\(reason)"])
            await api.suspend(reason: reason)
            return JSONBody.response(json: await api.status().json())
        }
        write.post("resume") { _, context -> Response in
            context.logger.notice("reconciling resumed")
            await api.resume()
            return JSONBody.response(json: await api.status().json())
        }
        return router
    }

    /// Why a suspend request cannot be accepted.
    struct BadRequest: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// The `reason` of a `{"reason": "…"}` body, trimmed; a 400 when it is missing, empty or too long.
    static func suspendReason(_ request: Request) async -> Result<String, BadRequest> {
        struct Body: Decodable { var reason: String? }
        let usage = #"send a JSON body with a reason, e.g. {"reason": "month-end close, ask #data-platform"}"#
        var request = request
        guard let buffer = try? await request.collectBody(upTo: maximumBody) else {
            return .failure(BadRequest(status: .contentTooLarge, message: "the body is larger than \(maximumBody) bytes; \(usage)"))
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView)) else {
            return .failure(BadRequest(status: .badRequest, message: "the body is not a JSON object; \(usage)"))
        }
        let reason = (body.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            return .failure(BadRequest(status: .badRequest, message: "a reason is required; \(usage)"))
        }
        guard reason.count <= maximumReason else {
            return .failure(BadRequest(status: .badRequest, message: "the reason is longer than \(maximumReason) characters; shorten it"))
        }
        return .success(reason)
    }

    /// 503 with `Retry-After` for what exists only after the first pass.
    static func noPassYet(_ what: String) -> Response {
        var response = JSONBody.error(.serviceUnavailable, "no \(what) yet: the first reconcile pass has not finished")
        response.headers[.retryAfter] = "10"
        return response
    }

    /// A `text/plain` response.
    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
