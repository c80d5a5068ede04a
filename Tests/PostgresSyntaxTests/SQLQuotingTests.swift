import Foundation
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

    @Test("dollar quoting picks a tag that does not occur in the body, nor ends it half-written")
    func dollarQuote() {
        #expect(SQL.dollarQuote("SELECT 1") == "$q$SELECT 1$q$")
        #expect(SQL.dollarQuote("SELECT '$q$'") == "$q1$SELECT '$q$'$q1$")
        // A last line `-- price in $q` with no newline: `$q$…$q$q$` would close one `q$` early.
        let quoted = SQL.dollarQuote("SELECT 1 -- price in $q")
        #expect(quoted == "$q1$SELECT 1 -- price in $q$q1$")
        // Whatever the body, the first closing delimiter after the opening one is the last characters.
        for body in ["$", "$q", "a$q", "$q$q", "q$", "$q1", "$q$ $q1$ $q"] {
            let text = SQL.dollarQuote(body)
            let tag = String(text.dropFirst().prefix { $0 != "$" })
            let delimiter = "$\(tag)$"
            let rest = String(text.dropFirst(delimiter.count))
            #expect(rest.range(of: delimiter)?.upperBound == rest.endIndex, "\(body) → \(text)")
        }
    }
}
