import Testing
import WardenModel

@Suite("Day")
struct DayTests {
    @Test("parses, prints and counts days across leap years")
    func arithmetic() throws {
        let day = try #require(Day("2024-02-28"))
        #expect(day.adding(days: 1).description == "2024-02-29")
        #expect(day.adding(days: 2).description == "2024-03-01")
        #expect(Day("2023-02-29") == nil)
        #expect(Day("2026-13-01") == nil)
        #expect(Day(ordinal: 0).description == "1970-01-01")
        #expect(try #require(Day("2026-01-01")).previous.description == "2025-12-31")
        #expect(try #require(Day("2026-03-15")).nameSuffix == "2026_03_15")
        #expect(try #require(Day("2026-01-01")).through(try #require(Day("2026-03-14"))).count == 73)
        for ordinal in stride(from: -800_000, to: 800_000, by: 997) {
            #expect(Day(ordinal: ordinal).ordinal == ordinal)
        }
    }
}
