import Foundation
import Hummingbird

/// JSON responses: the API's bodies and its errors (`{"error": "…"}`).
enum JSONBody {
    static let contentType = "application/json; charset=utf-8"

    /// A response with `json` as its body.
    static func response(_ status: HTTPResponse.Status = .ok, json: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
    }

    /// A response with `value` encoded, keys sorted.
    static func response(_ status: HTTPResponse.Status = .ok, encoding value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return error(.internalServerError, "the response could not be encoded")
        }
        return response(status, json: String(decoding: data, as: UTF8.self))
    }

    /// `{"error": message}`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        response(status, encoding: ["error": message])
    }
}
