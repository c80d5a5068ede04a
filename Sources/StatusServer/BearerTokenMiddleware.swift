import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>` (RFC 6750).
///
/// Without the header: 401 with `WWW-Authenticate: Bearer realm="warden"`; with a wrong token: 401 with
/// `error="invalid_token"`. The comparison takes the same time wherever the tokens differ. Without a
/// configured token every request gets 403: the endpoints are disabled, not open.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]?

    init(token: String?) { self.token = token.map { Array($0.utf8) } }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token else {
            return JSONBody.error(
                .forbidden, "mutating endpoints are disabled; set http.tokenFile in the controller configuration to enable them")
        }
        guard let presented = Self.bearer(request.headers[.authorization]) else {
            var response = JSONBody.error(.unauthorized, "this endpoint needs an 'Authorization: Bearer <token>' header")
            response.headers[.wwwAuthenticate] = #"Bearer realm="warden""#
            return response
        }
        guard Self.constantTimeEqual(Array(presented.utf8), token) else {
            var response = JSONBody.error(.unauthorized, "the bearer token is not the one in http.tokenFile")
            response.headers[.wwwAuthenticate] = #"Bearer realm="warden", error="invalid_token""#
            return response
        }
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
    static func bearer(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }

    /// Equal bytes, in a time that depends only on the lengths: every byte is compared, no early exit.
    static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = presented.count ^ expected.count
        for index in 0..<max(presented.count, expected.count) {
            let left = index < presented.count ? presented[index] : 0
            let right = index < expected.count ? expected[index] : 0
            difference |= Int(left ^ right)
        }
        return difference == 0
    }
}
