import Drift
import Testing
import WardenModel
import WarehouseFixtures

@Suite("Control characters never reach a terminal")
struct TerminalTextTests {
    static let hostile = "evil\u{1B}[2K\u{1B}[1A\r\u{8}\u{202E}"

    @Test("neutralized: ESC, CR, backspace and bidirectional overrides become visible escapes; newlines and tabs stay")
    func neutralized() {
        #expect(TerminalText.neutralized(Self.hostile) == "evil\\u{1B}[2K\\u{1B}[1A\\u{D}\\u{8}\\u{202E}")
        #expect(TerminalText.neutralized("a\tb\nc — é") == "a\tb\nc — é")
    }

    @Test("a live role named with a terminal sequence is shown escaped in the drift table and Markdown, kept raw in JSON")
    func driftOutputs() {
        let item = DriftItem(
            kind: .grantUnexpected, tenant: "landb", object: "landb.foodlogstats", expected: "no SELECT for \(Self.hostile)",
            found: "SELECT granted to \(Self.hostile)", remedy: "REVOKE SELECT")
        let report = DriftReport(revision: nil, asOf: Day("2026-01-06")!, items: [item])
        for text in [report.table(), report.markdown()] {
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x0D || $0.value == 0x08 || $0.value == 0x202E })
            #expect(text.contains("evil\\u{1B}[2K"))
        }
    }
}
