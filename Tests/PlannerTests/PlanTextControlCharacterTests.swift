import Planner
import Testing
import WardenModel
import WarehouseFixtures

@Suite("Plan text never carries a terminal sequence")
struct PlanTextControlCharacterTests {
    @Test("plan text shows a hostile description escaped")
    func planText() {
        var fixture = WarehouseFixture()
        fixture.desired.templates[0].description = "Daily\u{1B}[2K\u{1B}[1A\u{1B}[8m hidden"
        let text = fixture.plan().text(sql: true)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B })
        #expect(text.contains("Daily\\u{1B}[2K"), "\(text)")
    }
}
