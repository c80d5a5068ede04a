import DesiredState
import Foundation
import Testing

/// The corpus of broken schema repositories (`Fixtures/broken/<case>/`): each breaks rules of DESIGN.md §2
/// and lists in `expected.txt` the diagnostics it must produce, as `file:line: part of the message`.
@Suite struct BrokenRepositoryTests {
    /// One expected diagnostic.
    struct Expectation: CustomStringConvertible {
        var file: String
        var line: Int
        var fragment: String
        var description: String { "\(file):\(line): \(fragment)" }

        func matches(_ diagnostic: Diagnostic) -> Bool {
            diagnostic.file == file && diagnostic.line == line && diagnostic.message.contains(fragment)
        }
    }

    static var corpus: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/broken")
    }

    static let cases: [String] = {
        (try? FileManager.default.contentsOfDirectory(atPath: corpus.path))?.filter { !$0.hasPrefix(".") }.sorted() ?? []
    }()

    static func expectations(of name: String) throws -> [Expectation] {
        let text = try String(contentsOf: corpus.appendingPathComponent("\(name)/expected.txt"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
            let parts = line.split(separator: ":", maxSplits: 2)
            return Expectation(
                file: String(parts[0]), line: Int(parts[1])!, fragment: parts[2].trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func theCorpusHasAtLeast35Cases() {
        #expect(Self.cases.count >= 35)
    }

    @Test(arguments: cases)
    func aBrokenRepositoryIsRefusedWithEveryExpectedDiagnostic(_ name: String) throws {
        let expectations = try Self.expectations(of: name)
        #expect(!expectations.isEmpty)
        let files = try DesiredStateLoader.files(inFolder: Self.corpus.appendingPathComponent(name).path)
            .filter { $0.path != "expected.txt" }
        let result = DesiredStateLoader.load(files: files, root: "desired-state", revision: nil)
        #expect(result.desired == nil)
        let reported = result.diagnostics.map(\.description).joined(separator: "\n")
        for expectation in expectations {
            #expect(result.diagnostics.contains(where: expectation.matches), "missing \(expectation) in:\n\(reported)")
        }
        // And nothing else: every error is one the case expects, so no rule fires by accident.
        for error in result.errors {
            #expect(expectations.contains { $0.matches(error) }, "unexpected \(error)")
        }
        #expect(result.diagnostics == result.diagnostics.sorted())
    }
}
