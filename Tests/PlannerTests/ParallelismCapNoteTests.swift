import Planner
import Testing
import WardenModel
import WarehouseFixtures

@Suite("The plan says when parallelism is more than the server allows")
struct ParallelismCapNoteTests {
    @Test("a plan with builds notes the cap; one without a note keeps its notes")
    func note() {
        var fixture = WarehouseFixture()
        fixture.asOf = Day("2026-01-12")!
        fixture.live.connectionLimits = ConnectionLimits(maxConnections: 100, reservedConnections: 3, inUse: 2)
        let plan = fixture.plan(policy: Policy(parallelism: 150))
        #expect(plan.notes.contains { $0.hasPrefix("parallelism 150 is more than the server allows: the apply builds over 42 connections") },
                "\(plan.notes)")
        #expect(!fixture.plan(policy: Policy(parallelism: 4)).notes.contains { $0.hasPrefix("parallelism") })
    }
}
