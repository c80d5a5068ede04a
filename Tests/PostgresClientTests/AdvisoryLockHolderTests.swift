import PostgresClient
import Testing

@Suite("Who holds the apply lock, in words")
struct AdvisoryLockHolderTests {
    @Test("the holder's pid is named as PostgreSQL's backend pid, beside warden's own in the application name")
    func backendPIDIsNamed() {
        let holder = AdvisoryLockHolder(
            pid: 4567, applicationName: "warden/apply pid=41 run=7", user: "warden", clientAddress: "10.0.0.5", state: "idle",
            stateSeconds: 3)
        #expect(holder.description.hasPrefix("warden/apply pid=41 run=7 (PostgreSQL backend pid 4567, user warden, from 10.0.0.5, idle"))
        #expect(!holder.description.contains("(pid "))
    }
}
