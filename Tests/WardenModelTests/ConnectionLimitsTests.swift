import Testing
import WardenModel

@Suite("Connection limits: the prepare workers an apply may open")
struct ConnectionLimitsTests {
    @Test("the issue's server: max_connections 100, 3 superuser slots, 2 open; parallelism 150 builds over 42 connections")
    func cappedByMaxConnections() throws {
        let limits = ConnectionLimits(maxConnections: 100, reservedConnections: 3, inUse: 2)
        #expect(limits.readerReserve == 9)
        // 100 − 3 − 2 − 9 readers − 1 lock session = 85 free; two sessions per worker.
        #expect(limits.available == 85)
        #expect(limits.workers(requested: 150) == 42)
        let note = try #require(limits.capNote(requested: 150))
        #expect(note == "parallelism 150 is more than the server allows: the apply builds over 42 connections (max_connections 100, "
            + "less 3 reserved for superusers, less 2 open now, less 9 kept for readers; each build holds a warehouse session and a "
            + "dblink session); raise max_connections or lower policy.parallelism")
    }

    @Test("a parallelism that fits is kept and not noted")
    func fits() {
        let limits = ConnectionLimits(maxConnections: 100, reservedConnections: 3, inUse: 40)
        #expect(limits.workers(requested: 2) == 2)
        #expect(limits.capNote(requested: 2) == nil)
    }

    @Test("a role's CONNECTION LIMIT bounds the workers too")
    func roleLimit() {
        let limits = ConnectionLimits(maxConnections: 100, reservedConnections: 3, inUse: 2, roleLimit: 8, roleInUse: 1)
        #expect(limits.workers(requested: 16) == 3)
        #expect(limits.capNote(requested: 16)?.contains("the role's connection limit of 8 with 1 open") == true)
    }

    @Test("a full server still runs one worker: the apply goes on, one build at a time")
    func full() {
        let limits = ConnectionLimits(maxConnections: 100, reservedConnections: 3, inUse: 97)
        #expect(limits.available == 0)
        #expect(limits.workers(requested: 4) == 1)
    }
}
