import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A warden killed while the server is still busy for it (issue 11): its statements keep running after
/// its process is gone, inside dblink calls that PostgreSQL 15 does not interrupt. The next writer must
/// neither be refused by a ghost nor race the ghost's statements.
@Suite("a dead warden's sessions: the next writer waits for them or stops them, and never races them", .integration, .hangGuard)
struct DeadRunTests {
    /// How long one build of a daily view takes while the source is slow: far longer than any test run,
    /// so that a test passes only because warden stopped the build, never because the build ended.
    static let slowSeconds = 900

    /// The warehouse sessions of the process `pid` still there.
    static func sessions(of pid: pid_t, _ connection: PostgresConnection) async throws -> Int {
        try await connection.scalar(
            Int.self, "SELECT count(*)::int FROM pg_stat_activity WHERE application_name LIKE $1",
            ["warden/apply pid=\(pid)%"])
    }

    /// Whether a session of process `pid` holds the apply lock.
    static func holdsTheLock(_ pid: pid_t, _ connection: PostgresConnection) async throws -> Bool {
        try await connection.scalar(
            Bool.self,
            """
            SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                           WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE $1)
            """, ["warden/apply pid=\(pid)%"])
    }

    @Test("warden apply killed while its builds wait on a slow tenant source: the re-run at once cancels the dead run's queries, converges, and loses nothing")
    func killedDuringSlowBuild() async throws {
        let world = try await ApplyCommandTests.World.make("dead_slow")
        let slow = try await SlowSource.install(world.built, seconds: Self.slowSeconds)
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "dead-run-test"))
        let before = try await ApplyCommandTests.yearlyTables(warehouse)

        let first = try BackgroundProcess([binary, "apply", "--yes", "--reason", "dead run: first"] + world.base)
        // Wait until a build of the first apply sleeps in a tenant's source, on a session it named.
        var sleeping: [String] = []
        _ = try await eventually(.seconds(120)) {
            sleeping = try await slow.sleepers().filter { $0.hasPrefix("warden/apply pid=\(first.pid) run=") }
            if !sleeping.isEmpty { return true }
            return await first.wait(timeout: .milliseconds(1)) != nil
        }
        try #require(!sleeping.isEmpty, "no build reached the slow source: \(first.standardOutput)\n\(first.standardError)")
        #expect(sleeping.allSatisfy { $0.contains(" wh=") }, "\(sleeping)")

        let clock = ContinuousClock()
        first.signal(SIGKILL)
        let killedStatus = await first.wait(timeout: .seconds(60))
        let killed = clock.now
        #expect(killedStatus == 128 + SIGKILL)
        // The builds the re-run makes are quick; those already sleeping keep sleeping.
        try await slow.setSlow(false)

        // How long the dead process's lock and sessions outlive it, measured beside the re-run.
        let ghost = first.pid
        let watcher = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "dead-run-watch"))
        let lockOutlived = Task { () -> Duration? in
            for _ in 0..<6000 {
                if !(try await Self.holdsTheLock(ghost, watcher)) { return killed.duration(to: clock.now) }
                try await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
        let second = try await Subprocess.run([binary, "apply", "--yes", "--reason", "dead run: again at once"] + world.base)
        let rerun = killed.duration(to: clock.now)
        let lockFreedAfter = try await lockOutlived.value
        await watcher.close()
        // What the dead run left ends: stopped by the re-run, or by its own client check if the re-run
        // came later than the check on this machine.
        var sessionsLeft = -1
        var sleepersLeft: [String] = ["?"]
        _ = try await eventually(.seconds(60)) {
            sessionsLeft = try await Self.sessions(of: ghost, warehouse)
            sleepersLeft = try await slow.sleepers()
            return sessionsLeft == 0 && sleepersLeft.isEmpty
        }
        await slow.wakeEveryone()

        print("dead run: lock outlived its client by \(lockFreedAfter.map { "\($0)" } ?? "?"); "
            + "re-run finished \(rerun) after the kill; "
            + (second.standardError.split(separator: "\n").first { $0.contains("went away") }.map(String.init) ?? "(no dead-run line)"))
        #expect(second.status == 0, "\(second.standardOutput)\n\(second.standardError)")
        #expect(second.standardOutput.contains("applied: run"), "\(second.standardOutput)")
        #expect(lockFreedAfter != nil)
        #expect(sessionsLeft == 0)
        #expect(sleepersLeft.isEmpty, "\(sleepersLeft)")
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM _wh.warden_runs WHERE status = 'aborted'") == 1)

        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        let after = try await ApplyCommandTests.yearlyTables(warehouse, columns: before.mapValues(\.columns))
        #expect(after == before)
        await warehouse.close()
        await world.tearDown()
    }

    /// A session that takes the apply lock under a warden name, as a warden's lock session does.
    static func fakeHolder(_ dsn: String) async throws -> PostgresConnection {
        let holder = try await PostgresConnection.connect(
            ConnectionConfiguration(dsn, applicationName: "warden/apply pid=1 run=99999"))
        #expect(try await holder.scalar(Bool.self, "SELECT pg_try_advisory_lock($1::bigint)", [Self.lockKey]))
        return holder
    }

    /// `warden.apply`'s key, as every warden computes it.
    static var lockKey: Int64 { PostgresConnection.advisoryLockKey("warden.apply") }

    @Test("the apply lock: a live holder is refused at once by name; a holder stuck in a statement is waited for (--lock-wait), named with the fix when the wait runs out, and the apply goes ahead once it lets go")
    func holderVerdicts() async throws {
        let world = try await ApplyCommandTests.World.make("dead_lock")
        let binary = WardenCLITests.binary

        // Idle: a live warden between two journal writes.
        let live = try await Self.fakeHolder(world.dsn)
        let refused = try await Subprocess.run([binary, "apply", "--yes", "--lock-wait", "10m"] + world.base)
        #expect(refused.status == 3, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains("another warden is applying"), "\(refused.standardError)")
        #expect(refused.standardError.contains("warden/apply pid=1 run=99999 (PostgreSQL backend pid \(live.backendPID)"), "\(refused.standardError)")
        #expect(!refused.standardError.contains("seems gone"), "\(refused.standardError)")

        // Busy in one statement for seconds: a warden whose process is gone while the server works on.
        let busy = Task { try await live.query("SELECT pg_sleep(900)") }
        let watcher = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "dead-lock-watch"))
        _ = try await eventually(.seconds(120)) {
            let seconds = try await watcher.scalar(
                Double?.self,
                "SELECT (SELECT extract(epoch FROM clock_timestamp() - query_start)::float8 FROM pg_stat_activity WHERE pid = $1 AND state = 'active')",
                [live.backendPID])
            return (seconds ?? 0) > 2.5
        }
        let gaveUp = try await Subprocess.run([binary, "apply", "--yes", "--lock-wait", "1s"] + world.base)
        #expect(gaveUp.status == 3, "\(gaveUp.standardOutput)\(gaveUp.standardError)")
        #expect(gaveUp.standardError.contains("whose warden seems gone"), "\(gaveUp.standardError)")
        #expect(gaveUp.standardError.contains("still held after"), "\(gaveUp.standardError)")
        #expect(gaveUp.standardError.contains("pg_terminate_backend(\(live.backendPID))"), "\(gaveUp.standardError)")
        let refusedAtOnce = try await Subprocess.run([binary, "apply", "--yes", "--lock-wait", "0"] + world.base)
        #expect(refusedAtOnce.status == 3)
        #expect(refusedAtOnce.standardError.contains("another warden is applying"), "\(refusedAtOnce.standardError)")

        // Waited for: once the statement ends and the session closes, the waiting apply goes ahead.
        let waiting = try BackgroundProcess([binary, "apply", "--yes", "--lock-wait", "10m", "--reason", "after the ghost"] + world.base)
        _ = await eventually(.seconds(120)) {
            if waiting.standardError.contains("whose warden seems gone") { return true }
            return await waiting.wait(timeout: .milliseconds(1)) != nil
        }
        #expect(waiting.standardError.contains("waiting up to 10 min"), "\(waiting.standardError)")
        live.cancel()
        _ = try? await busy.value
        await live.close()
        let status = await waiting.wait(timeout: .seconds(600))
        #expect(status == 0, "\(waiting.standardOutput)\n\(waiting.standardError)")
        #expect(waiting.standardOutput.contains("applied: run"), "\(waiting.standardOutput)")
        await waiting.terminate()
        await watcher.close()
        await world.tearDown()
    }
}
