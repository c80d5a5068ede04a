import Foundation
import PostgresClient
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What on-call people read from `warden run` while a change waits for its window, on the real
/// process: its log, its metrics, its webhooks, its run record, and its shutdown.
@Suite("warden run: signals while blocked by a window", .integration, .hangGuard)
struct ControllerSignalsTests {
    /// Sunday 2026-01-04 14:00 UTC: the demo's sunday-night window (02:00–06:00 America/Chicago) closed
    /// two hours ago; the next opens in 6 days 18 hours. Prepare work runs ahead; swaps wait.
    static let at = "2026-01-04T14:00:00Z"

    /// The value of one sample of /metrics (`name{labels}`), 0 when absent.
    static func metric(_ port: Int, _ sample: String) async -> Double {
        guard let response = try? await HTTP.request("GET", "http://127.0.0.1:\(port)/metrics", timeout: 5) else { return -1 }
        let line = response.body.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// The loop's own `waiting for window …` lines (not the executor's `waiting: step …`).
    static func waitingLines(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains("] waiting for window ") }
    }

    /// Lines logged at error level or above (swift-log's text format: `TIME LEVEL LABEL: …`).
    static func errorLines<S: Sequence>(_ lines: S) -> [Substring] where S.Element == Substring {
        lines.filter { line in
            let level = line.split(separator: " ", maxSplits: 2).dropFirst().first
            return level == "error" || level == "critical"
        }
    }

    @Test("blocked by a window: one log line and one blocked webhook, no catalog pass per poll, a pass when asked; webhooks as documented; the run it supersedes says so; SIGTERM logs no error")
    func quietWhileBlocked() async throws {
        let rig = try await ControllerRunTests.Rig.make("run_quiet")
        let port = try HTTP.freePort()
        let hooks = try WebhookReceiver()
        defer { hooks.stop() }
        // Resync far away: only polls (every second) and requests happen during the test.
        let controller = try rig.start(port: port, webhook: hooks.url, at: Self.at, resync: "1h")
        defer { Task { await controller.terminate() } }
        let idle = await ControllerRunTests.eventually(.seconds(60)) {
            let status = await ControllerRunTests.status(port)
            return status?["phase"] as? String == "idle" && ControllerRunTests.condition(status, "InSync") == "True"
        }
        try #require(idle, "\(controller.standardError)")

        let commit = try await rig.commitWasteCategory()
        // The pass has ended (its result is recorded with its metric, in one step of the loop).
        let blocked = await ControllerRunTests.eventually(.seconds(120)) {
            let status = await ControllerRunTests.status(port)
            return status?["revision"] as? String == commit && status?["phase"] as? String == "blocked-by-window"
                && (status?["lastReconcile"] as? [String: Any])?["result"] as? String == "blocked"
        }
        try #require(blocked, "\(controller.standardError)")
        let passes = await Self.metric(port, #"warden_reconcile_total{result="blocked"}"#)
        #expect(passes >= 1)
        #expect(Self.waitingLines(controller.standardError).count == 1, "\(controller.standardError)")

        // Three more polls read git and find nothing new: no pass, no line.
        let polls = await Self.metric(port, #"warden_git_fetch_total{result="unchanged"}"#)
        let polled = await ControllerRunTests.eventually(.seconds(60)) {
            await Self.metric(port, #"warden_git_fetch_total{result="unchanged"}"#) >= polls + 3
        }
        #expect(polled)
        #expect(await Self.metric(port, #"warden_reconcile_total{result="blocked"}"#) == passes)
        #expect(Self.waitingLines(controller.standardError).count == 1, "\(controller.standardError)")

        // Asked, it re-plans at once, still blocked: one more pass, the same state, nothing said again.
        let asked = try await HTTP.request("POST", "http://127.0.0.1:\(port)/api/v1/reconcile", token: rig.token)
        #expect(asked.status == 202)
        let replanned = await ControllerRunTests.eventually(.seconds(60)) {
            await Self.metric(port, #"warden_reconcile_total{result="blocked"}"#) >= passes + 1
        }
        #expect(replanned, "\(controller.standardError)")
        #expect(await ControllerRunTests.status(port)?["phase"] as? String == "blocked-by-window")
        #expect(Self.waitingLines(controller.standardError).count == 1, "\(controller.standardError)")

        // Webhooks: one blocked event for the commit, every body with exactly the documented keys.
        let notified = await ControllerRunTests.eventually(.seconds(30)) {
            hooks.bodies.map(ControllerRunTests.json).contains { $0["event"] as? String == "blocked" && $0["revision"] as? String == commit }
        }
        #expect(notified, "\(hooks.bodies)")
        let events = hooks.bodies.map(ControllerRunTests.json)
        let blockedEvents = events.filter { $0["event"] as? String == "blocked" && $0["revision"] as? String == commit }
        #expect(blockedEvents.count == 1, "\(hooks.bodies)")
        #expect(blockedEvents.first?["phase"] as? String == "blocked-by-window")
        #expect((blockedEvents.first?["message"] as? String)?.hasPrefix("waiting for window sunday-night") == true, "\(hooks.bodies)")
        #expect(blockedEvents.first?["until"] as? String == "2026-01-11T08:00:00Z", "\(hooks.bodies)")
        let documented = Set(try WebhookDocumentation.fields())
        for event in events { #expect(Set(event.keys) == documented, "\(event)") }
        #expect(events.allSatisfy { $0["version"] as? Int == 1 })

        // The run record: at most one run waits; any earlier one is superseded by a later run.
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        let runs = try await warehouse.query(
            "SELECT run_id, status, superseded_by FROM _wh.warden_runs WHERE revision = $1 ORDER BY run_id", [commit]
        ).map { (try $0.decode(Int64.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(Int64?.self, at: 2)) }
        #expect(runs.last?.1 == "waiting", "\(runs)")
        #expect(runs.dropLast().allSatisfy { $0.1 != "waiting" }, "\(runs)")
        #expect(runs.filter { $0.1 == "superseded" }.allSatisfy { run in run.2.map { $0 > run.0 } == true }, "\(runs)")
        await warehouse.close()

        // SIGTERM: a clean stop, no line at error level.
        controller.signal(SIGTERM)
        let exit = await controller.wait(timeout: .seconds(60))
        #expect(exit == 0, "\(controller.standardError)")
        let log = controller.standardError
        let afterSignal = log.split(separator: "\n").drop { !$0.contains("signal 15:") }
        #expect(!afterSignal.isEmpty, "\(log)")
        #expect(Self.errorLines(afterSignal).isEmpty, "\(log)")
        #expect(!log.contains("CancellationError"), "\(log)")
        #expect(log.contains("stopped; the apply lock is released"), "\(log)")
        await controller.terminate()
        await rig.tearDown()
    }
}
