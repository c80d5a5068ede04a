import Controller
import Foundation
import TestSupport
import Testing

@Suite("webhooks: one versioned payload, as documented")
struct WebhookPayloadTests {
    /// The fields docs/WEBHOOKS.md lists in its "Fields" table, in order.
    static func documentedFields() throws -> [String] { try WebhookDocumentation.fields() }

    /// The keys controller/warden.yaml's comment lists under `notifications`, in order.
    static func configurationFields() throws -> [String] {
        let text = try String(contentsOfFile: packageRoot + "/controller/warden.yaml", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.contains("Every event has these keys") })
        return lines[(start + 1)...].prefix { $0.hasPrefix("  #   ") }.map {
            String($0.dropFirst("  #   ".count).prefix { !$0.isWhitespace })
        }
    }

    /// The keys of an encoded payload.
    static func encodedKeys(_ payload: WebhookPayload) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: payload.json()) as? [String: Any]
        return Set(try #require(object).keys)
    }

    static let at = ISO8601DateFormatter().date(from: "2026-01-04T14:00:03Z")!

    @Test("the keys sent are the fields docs/WEBHOOKS.md and controller/warden.yaml document, in the same order, for every event")
    func sentMatchesTheDocumentation() throws {
        let documented = try Self.documentedFields()
        #expect(documented.count >= 10, "\(documented)")
        #expect(documented == WebhookPayload.CodingKeys.allCases.map(\.stringValue))
        #expect(try Self.configurationFields() == documented)
        for event in ControllerConfiguration.Event.allCases {
            // A payload with nothing optional set still has every key (null).
            let bare = WebhookPayload(event: event, at: Self.at, host: "warden-0", revision: nil, phase: .idle, message: "m")
            #expect(try Self.encodedKeys(bare) == Set(documented), "\(event)")
        }
    }

    @Test("the documented events are the events sent, and the version is 1")
    func eventsAndVersion() throws {
        let text = try String(contentsOfFile: packageRoot + "/docs/WEBHOOKS.md", encoding: .utf8)
        let events = try WebhookDocumentation.events()
        #expect(events == ControllerConfiguration.Event.allCases.map(\.rawValue))
        let payload = WebhookPayload(event: .blocked, at: Self.at, host: "h", revision: "r", phase: .blockedByWindow, message: "m")
        let object = try #require(try JSONSerialization.jsonObject(with: payload.json()) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(text.contains("schema version 1"))
    }

    @Test("the documented example decodes as a payload and encodes back to the same JSON")
    func exampleRoundTrips() throws {
        let text = try String(contentsOfFile: packageRoot + "/docs/WEBHOOKS.md", encoding: .utf8)
        let example = try #require(text.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(example.utf8))
        #expect(payload.event == .blocked && payload.phase == .blockedByWindow && payload.until != nil)
        let again = try JSONSerialization.jsonObject(with: payload.json()) as? NSDictionary
        let documented = try JSONSerialization.jsonObject(with: Data(example.utf8)) as? NSDictionary
        #expect(again == documented)
    }

    @Test("times are RFC 3339 UTC whole seconds; the fields of an apply that succeeded are filled")
    func values() throws {
        let payload = WebhookPayload(
            event: .applySucceeded, at: Self.at, host: "warden-0", revision: "abc", phase: .reconciling, message: "applied: 3 steps",
            steps: 3, run: 12, seconds: 1.5)
        let object = try #require(try JSONSerialization.jsonObject(with: payload.json()) as? [String: Any])
        #expect(object["at"] as? String == "2026-01-04T14:00:03Z")
        #expect(object["event"] as? String == "apply-succeeded")
        #expect(object["phase"] as? String == "reconciling")
        #expect(object["run"] as? Int == 12)
        #expect(object["seconds"] as? Double == 1.5)
        #expect(object["until"] is NSNull)
    }
}
