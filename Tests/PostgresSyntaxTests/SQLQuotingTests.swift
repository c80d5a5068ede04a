import PostgresSyntax
import Testing

@Suite("SQL quoting")
struct SQLQuotingTests {
    @Test("identifiers are always one identifier", arguments: [
        ("landb", "\"landb\""),
        ("landb; DROP SCHEMA x", "\"landb; DROP SCHEMA x\""),
        ("we\"ird", "\"we\"\"ird\""),
        ("", "\"\""),
    ])
    func quoteIdentifier(input: String, expected: String) {
        #expect(SQL.quoteIdentifier(input) == expected)
    }

    @Test("plain names stay bare, everything else is quoted")
    func identifierWhenNeeded() {
        #expect(SQL.identifier("foodlogstats_2026_03_04") == "foodlogstats_2026_03_04")
        #expect(SQL.identifier("user") == "\"user\"")
        #expect(SQL.identifier("Mixed") == "\"Mixed\"")
        #expect(SQL.identifier("1abc") == "\"1abc\"")
        #expect(SQL.qualified("landb", "order") == "landb.\"order\"")
    }

    @Test("literals double quotes and escape backslashes")
    func quoteLiteral() {
        #expect(SQL.quoteLiteral("UNKNOWN") == "'UNKNOWN'")
        #expect(SQL.quoteLiteral("it's") == "'it''s'")
        #expect(SQL.quoteLiteral("a\\b") == "E'a\\\\b'")
        #expect(SQL.quoteLiteral("'); DROP TABLE x; --") == "'''); DROP TABLE x; --'")
        #expect(SQL.quoteLiteral("a\u{0}b") == "'ab'")
    }

    @Test("dollar quoting picks a tag that does not occur in the body")
    func dollarQuote() {
        #expect(SQL.dollarQuote("SELECT 1") == "$q$SELECT 1$q$")
        #expect(SQL.dollarQuote("SELECT '$q$'") == "$q1$SELECT '$q$'$q1$")
    }
}
