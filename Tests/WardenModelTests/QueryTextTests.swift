import Testing
import WardenModel

@Suite("query text comparison")
struct QueryTextTests {
    static let lf = "SELECT\n    pf.id\nFROM phood_foodlogsum pf\nWHERE pf.logged_time >= '{TARGET_DATE}'\n"

    @Test("line endings, trailing spaces and final newlines do not count: a CRLF-only edit is no query change")
    func lineEndings() throws {
        let crlf = Self.lf.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        #expect(crlf.contains("\r\n"))
        #expect(QueryText.normalized(crlf) == QueryText.normalized(Self.lf))
        #expect(QueryText.normalized(crlf).split(separator: "\n").count == 4)
        #expect(QueryText.normalized("SELECT 1  \r\n\r\n") == "SELECT 1")
        #expect(QueryText.normalized("SELECT 1\rFROM t") == "SELECT 1\nFROM t")
        // A real edit still counts.
        #expect(QueryText.normalized(Self.lf) != QueryText.normalized(Self.lf.replacing("pf.id", with: "pf.id, pf.flags")))
    }

    @Test("a daily view built from the LF text carries the stamp the CRLF text expects")
    func stampsAgree() throws {
        func template(_ query: String) -> Template {
            Template(name: "foodlogstats", description: "", query: query, columns: [
                Column(name: "id", type: ColumnType(canonical: "bigint")),
            ], indexes: [])
        }
        let day = Day(year: 2026, month: 1, day: 5)!
        let crlf = Self.lf.replacing("\n", with: "\r\n")
        #expect(template(crlf).dailyViewSpecHash(day: day, connection: "north")
            == template(Self.lf).dailyViewSpecHash(day: day, connection: "north"))
    }
}
