import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a new user meets first (issue 15): the schema repository read from a sub-folder, a note about
/// edits that are not committed, and help and messages that say what they mean.
@Suite("warden on first contact", .integration, .hangGuard)
struct FirstContactTests {
    /// A schema repository holding the demo's desired state, committed.
    func schemaRepository() async throws -> GitRepositoryFixture {
        let repository = try await GitRepositoryFixture()
        try repository.copy(folder: packageRoot + "/desired-state", to: "desired-state")
        try await repository.commitAll("the demo warehouse")
        return repository
    }

    /// `warden ARGUMENTS` run with `folder` as its working directory.
    func warden(_ arguments: [String], in folder: String) async throws -> Subprocess.Outcome {
        let quoted = ([WardenCLITests.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try await Subprocess.run(["/bin/sh", "-c", "cd '\(folder)' && exec " + quoted.joined(separator: " ")])
    }

    @Test("run from a sub-folder of the schema repository, warden finds the repository as git does")
    func subFolderFindsTheRepository() async throws {
        let repository = try await schemaRepository()
        defer { repository.remove() }
        for folder in [repository.path + "/desired-state", repository.path + "/desired-state/templates"] {
            let outcome = try await warden(["validate"], in: folder)
            #expect(outcome.status == 0, "\(folder): \(outcome.standardError)")
            #expect(outcome.standardOutput.contains("valid: 2 template(s), 3 tenant(s)"), "\(outcome.standardOutput)")
        }
        // --path stays relative to the repository's top folder, wherever warden runs.
        let explicit = try await warden(["validate", "--repo", repository.path + "/desired-state", "--path", "desired-state"], in: "/")
        #expect(explicit.status == 0, "\(explicit.standardError)")
        // Outside any repository, the message says so and what to do.
        let plain = try TemporaryFolder("warden-plain")
        defer { plain.remove() }
        let outside = try await warden(["validate"], in: plain.path)
        #expect(outside.status != 0)
        #expect(outside.standardError.contains("is not in a git repository"), "\(outside.standardError)")
    }

    @Test("uncommitted edits under the desired-state folder get one note on stderr; a clean tree gets none")
    func uncommittedChangesAreNoted() async throws {
        let repository = try await schemaRepository()
        defer { repository.remove() }
        let clean = try await warden(["validate"], in: repository.path)
        #expect(clean.status == 0, "\(clean.standardError)")
        #expect(!clean.standardError.contains("uncommitted"), "\(clean.standardError)")

        // An edit outside the folder is not the desired state's business.
        try repository.write("notes\n", to: "README.md")
        let outside = try await warden(["validate"], in: repository.path)
        #expect(!outside.standardError.contains("uncommitted"), "\(outside.standardError)")

        let template = repository.path + "/desired-state/templates/storedaily.yaml"
        let yaml = try String(contentsOfFile: template, encoding: .utf8)
        try (yaml + "\n# edited\n").write(toFile: template, atomically: true, encoding: .utf8)
        try repository.write("x: 1\n", to: "desired-state/templates/new.yaml")
        let edited = try await warden(["validate"], in: repository.path + "/desired-state")
        #expect(edited.status == 0, "\(edited.standardError)")
        let notes = edited.standardError.split(separator: "\n").filter { $0.contains("uncommitted") }
        #expect(notes.count == 1, "\(edited.standardError)")
        #expect(notes.first?.hasPrefix(
            "warden: note: 2 uncommitted changes under desired-state/ are not read "
                + "(desired-state/templates/new.yaml, desired-state/templates/storedaily.yaml): "
                + "warden reads desired-state/ as committed at main; commit them, or pass --dir ") == true, "\(edited.standardError)")
        // The committed tree is what was read: the untracked new.yaml (not a template) did not break it.
        #expect(edited.standardOutput.contains("valid: 2 template(s)"))
    }

    @Test("adopt's --at help says what --at means for adopt, not maintenance windows")
    func adoptAtHelp() async throws {
        let help = try await Subprocess.run([WardenCLITests.binary, "adopt", "--help"])
        #expect(help.status == 0)
        let text = help.standardOutput.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(!text.contains("maintenance windows"), "\(help.standardOutput)")
        #expect(text.contains("Adopt as if now were TIME"), "\(help.standardOutput)")
        #expect(text.contains("its UTC date is the warehouse's today when --as-of is not given"), "\(help.standardOutput)")
    }
}
