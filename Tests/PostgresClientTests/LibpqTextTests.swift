import PostgresClient
import Testing

@Suite("libpq message text on one line")
struct LibpqTextTests {
    @Test("libpq's tab-indented second line and trailing newline become one sentence")
    func tabsAndNewlines() {
        let raw = "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
            + "\tIs the server running on that host and accepting TCP/IP connections?\n"
        #expect(LibpqText.oneLine(raw)
            == "connection to server at \"127.0.0.1\", port 1 failed: Connection refused; Is the server running on that host and accepting TCP/IP connections?")
    }

    @Test("FATAL's double space goes, and a line that ends a sentence is followed by a space only")
    func spacesAndSentences() {
        #expect(LibpqText.oneLine("failed: FATAL:  database \"x\" does not exist\n") == "failed: FATAL: database \"x\" does not exist")
        #expect(LibpqText.oneLine("could not connect.\nIs it up?") == "could not connect. Is it up?")
    }

    @Test("a doubled period becomes one; an ellipsis stays")
    func periods() {
        #expect(LibpqText.oneLine("no such server.. try again") == "no such server. try again")
        #expect(LibpqText.oneLine("waiting...") == "waiting...")
    }
}
