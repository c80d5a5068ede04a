@testable import Executor
import Foundation
import PostgresClient
import Testing

/// The pure parts of telling a dead warden's sessions from a live one's (issue 11).
@Suite("a dead warden's sessions: names, the lock holder's verdict, the servers a statement reads")
struct DeadWardenTests {
    @Test("a session name says the command, the process, the run and, in a tenant's database, the warehouse; it reads back")
    func namesRoundTrip() throws {
        let name = SessionName(command: "apply", processID: 4978)
        #expect(name.description == "warden/apply pid=4978")
        let run = name.with(run: 42)
        #expect(run.description == "warden/apply pid=4978 run=42")
        let remote = run.remote(warehouse: "1a2b3c4d")
        #expect(remote.description == "warden/apply pid=4978 run=42 wh=1a2b3c4d")
        #expect(remote.description.utf8.count < 64)
        #expect(SessionName(parsing: remote.description) == remote)
        #expect(SessionName(parsing: run.description) == run)
        #expect(SessionName(parsing: "psql") == nil)
        #expect(SessionName(parsing: "warden/apply") == nil)
        #expect(SessionName(parsing: "warden/apply pid=x") == nil)
        #expect(SessionName.isWarden("warden"))
        #expect(SessionName.isWarden("warden-controller"))
        #expect(!SessionName.isWarden("bi-dashboard"))
    }

    static func holder(_ application: String, _ state: String?, _ seconds: Double?) -> AdvisoryLockHolder {
        AdvisoryLockHolder(pid: 7, applicationName: application, user: "app", state: state, stateSeconds: seconds)
    }

    @Test("the lock's holder: idle or briefly busy is a live warden (refused at once); a warden session busy for seconds or ending is gone (waited for); anyone else is live")
    func holderVerdicts() {
        #expect(ApplyLock.verdict(on: Self.holder("warden/apply pid=1 run=2", "idle", 3600)) == .live)
        #expect(ApplyLock.verdict(on: Self.holder("warden/run pid=1 run=2", "active", 0.2)) == .live)
        #expect(ApplyLock.verdict(on: Self.holder("warden/apply pid=1 run=2", "idle in transaction", 0.5)) == .live)
        guard case .goingAway(let busy) = ApplyLock.verdict(on: Self.holder("warden/apply pid=1 run=2", "active", 125)) else {
            Issue.record("a lock session busy for two minutes is a warden that went away")
            return
        }
        #expect(busy.contains("active for 2 min 5 s"), "\(busy)")
        #expect(ApplyLock.verdict(on: Self.holder("warden", nil, nil)) == .goingAway("its session is ending"))
        if case .goingAway = ApplyLock.verdict(on: Self.holder("warden/apply pid=1", "idle in transaction", 30)) {} else {
            Issue.record("a lock session idle in a transaction for 30 s is a warden that went away")
        }
        // Not a warden's session: nothing can be said of its client, so it is a writer to refuse.
        #expect(ApplyLock.verdict(on: Self.holder("psql", "active", 600)) == .live)
    }

    @Test("the foreign servers a stuck statement reads through dblink, quotes and all")
    func serversOfAStatement() {
        let statement = """
            BEGIN; SET LOCAL lock_timeout = '2000ms'; CREATE MATERIALIZED VIEW "north"."foodlogstats_2026_01_02__shadow" AS \
            SELECT * FROM dblink('north_src', $q$SELECT 1$q$) AS t(id int); SELECT dblink('o''brien', 'x'); COMMIT
            """
        #expect(DeadRunSessions.servers(in: statement) == ["north_src", "o'brien"])
        #expect(DeadRunSessions.servers(in: "SELECT 1").isEmpty)
    }

    @Test("durations in messages: tenths under 10 s, then seconds, minutes, hours")
    func durations() {
        #expect(BackendActivity.format(seconds: 0.42) == "0.4 s")
        #expect(BackendActivity.format(seconds: 42) == "42 s")
        #expect(BackendActivity.format(seconds: 185) == "3 min 5 s")
        #expect(BackendActivity.format(seconds: 7800) == "2 h 10 min")
    }
}
