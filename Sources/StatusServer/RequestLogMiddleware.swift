import Hummingbird
import Logging

/// Logs each request at debug level: method, path and status, never the query string (a client may
/// send a token as `?token=`, and query strings are not part of the API).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        do {
            let response = try await next(request, context)
            context.logger.debug("\(request.method) \(path) \(response.status.code)", metadata: ["hb.request.path": "\(path)"])
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            context.logger.debug("\(request.method) \(path) \(status)", metadata: ["hb.request.path": "\(path)"])
            throw error
        }
    }
}

/// 405 with `Allow` for a known path asked with a method it does not take (a GET on a POST-only
/// endpoint), instead of the router's 404, which would suggest the path does not exist.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path (without a trailing slash) → the methods it takes.
    let methods: [String: [HTTPRequest.Method]]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var path = request.uri.path
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if let allowed = methods[path], !allowed.contains(request.method), !(request.method == .head && allowed.contains(.get)) {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            var response = JSONBody.error(.methodNotAllowed, "\(path) takes \(names), not \(request.method.rawValue)")
            response.headers[.allow] = names
            return response
        }
        return try await next(request, context)
    }
}
