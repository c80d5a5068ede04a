import Foundation
import TestSupport
import Testing

/// The corpus of broken schema repositories, through the real executable: each gives its diagnostics
/// with file and line, exit 1, and never a statement to the database.
@Suite("broken schema repositories through the command line", .integration, .hangGuard)
struct BrokenRepositoryTests {
    static let corpus = packageRoot + "/Tests/DesiredStateTests/Fixtures/broken"

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).sorted()
    }

    @Test("every broken repository: its diagnostics, exit 1, and no connection attempted")
    func corpusThroughTheCLI() async throws {
        #expect(Self.cases.count >= 30)
        // A database nobody listens on: had warden tried to reach it, the error would say so.
        let unreachable = "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=1"
        for name in Self.cases {
            let folder = "\(Self.corpus)/\(name)/desired-state"
            let expected = try String(contentsOfFile: "\(Self.corpus)/\(name)/expected.txt", encoding: .utf8)
                .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
            for command in [["validate", "--dir", folder, "--database", unreachable],
                            ["drift", "--dir", folder, "--database", unreachable, "--as-of", "2026-03-15"]] {
                let outcome = try await Subprocess.run([WardenCLITests.binary] + command)
                #expect(outcome.status == 1, "\(name): \(command[0]) exited \(outcome.status)")
                #expect(!outcome.standardError.contains("cannot connect"), "\(name): \(command[0]) tried the database")
                for line in expected {
                    // expected.txt: `path:line: substring`
                    let parts = line.split(separator: ":", maxSplits: 2).map(String.init)
                    guard parts.count == 3 else { continue }
                    // Paths print relative to the --dir folder, which ends in desired-state/.
                    let location = "/\(parts[0]):\(parts[1]):"
                    let fragment = parts[2].trimmingCharacters(in: .whitespaces).replacing("desired-state/", with: "")
                    let found = outcome.standardError.split(separator: "\n").contains {
                        $0.hasPrefix(folder + "/") && $0.contains(location) && $0.contains(fragment)
                    }
                    #expect(found, "\(name): missing '\(line)' in:\n\(outcome.standardError)")
                }
            }
        }
    }
}
