import Foundation
import GitSource
import Testing

@Suite("Commits that touched a path")
struct GitRepositoryHistoryTests {
    @Test("commits(from:to:touching:) lists exactly the commits that changed the path, newest first")
    func commitsTouchingAPath() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/a.yaml", "a: 1\n")
        try origin.write("README.md", "readme\n")
        let c1 = try origin.commitAll("Add a.yaml and README")
        try origin.write("README.md", "readme 2\n")
        let c2 = try origin.commitAll("Edit README")
        try origin.write("desired-state/sub/b.yaml", "b: 1\n")
        let c3 = try origin.commitAll("Add b.yaml")
        try origin.write("other/x.txt", "x\n")
        let c4 = try origin.commitAll("Add other/x.txt")
        let c5 = try origin.commit("Empty commit")
        try origin.delete("desired-state/a.yaml")
        let c6 = try origin.commitAll("Delete a.yaml")

        let repository = try GitRepository.open(at: origin.path)
        func ids(_ from: String?, _ path: String?, limit: Int? = nil) throws -> [String] {
            try repository.commits(from: from, to: "main", touching: path, limit: limit).map(\.id)
        }
        #expect(try ids(nil, "desired-state") == [c6, c3, c1])
        #expect(try ids(nil, "desired-state/") == [c6, c3, c1])
        #expect(try ids(c1, "desired-state") == [c6, c3])
        #expect(try ids(c3, "desired-state") == [c6])
        #expect(try ids(c6, "desired-state") == [])
        #expect(try ids(nil, "desired-state/sub/b.yaml") == [c3])
        #expect(try ids(nil, "README.md") == [c2, c1])
        #expect(try ids(nil, "") == [c6, c4, c3, c2, c1])
        #expect(try ids(nil, nil) == [c6, c5, c4, c3, c2, c1])
        #expect(try ids(nil, "never-existed") == [])
        #expect(try ids(nil, "desired-state", limit: 1) == [c6])
        #expect(
            try repository.commits(from: nil, to: "main", touching: "desired-state").first?.summary == "Delete a.yaml")

        let error = try #require(throws: GitError.self) {
            try repository.commits(from: "nope", to: "main", touching: nil)
        }
        #expect(error.code == .unknownRef)
    }

    @Test("history follows first parents: a merge is listed once, the merged branch's commits are not")
    func firstParentHistory() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/a.yaml", "a: 1\n")
        let base = try origin.commitAll("Base")
        try origin.git(["checkout", "-q", "-b", "feature"])
        try origin.write("desired-state/a.yaml", "a: 2\n")
        let onFeature = try origin.commitAll("Change a on feature")
        try origin.git(["checkout", "-q", "main"])
        try origin.write("docs.md", "docs\n")
        try origin.commitAll("Docs on main")
        try origin.git(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"], time: 1_800_000_000)
        let merge = try origin.git(["rev-parse", "HEAD"])

        let repository = try GitRepository.open(at: origin.path)
        let touching = try repository.commits(from: base, to: "main", touching: "desired-state").map(\.id)
        #expect(touching == [merge])
        #expect(!touching.contains(onFeature))
        #expect(try repository.commits(from: base, to: "feature", touching: "desired-state").map(\.id) == [onFeature])
    }
}
