import Foundation
import TestSupport
import Testing

@Suite("warden windows", .integration, .hangGuard)
struct WindowsCommandTests {
    /// The demo desired state, read as a plain folder without a warehouse.
    static var offline: [String] { [WardenCLITests.binary, "windows", "--dir", packageRoot + "/desired-state", "--offline"] }

    /// The `windows` array of `warden windows --format json`.
    static func windows(_ output: String) throws -> [[String: Any]] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        return try #require(root["windows"] as? [[String: Any]], "\(output)")
    }

    @Test("offline JSON lists the demo's windows in order of start, in RFC 3339, none active on a Tuesday")
    func offlineJSON() async throws {
        let outcome = try await Subprocess.run(
            Self.offline + ["--from", "2026-11-17T12:00:00Z", "--count", "3", "--format", "json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
        let windows = try Self.windows(outcome.standardOutput)
        #expect(windows.count == 3)
        #expect(windows.map { $0["name"] as? String } == ["sunday-night", "month-end-close", "sunday-night"])
        #expect(windows.map { $0["kind"] as? String } == ["allow", "deny", "allow"])
        // Sunday 02:00 in Chicago is 08:00 UTC in November (CST, UTC-6); month-end-close is read in UTC.
        #expect(windows.map { $0["start"] as? String } == ["2026-11-22T08:00:00Z", "2026-11-28T00:00:00Z", "2026-11-29T08:00:00Z"])
        #expect(windows.map { $0["end"] as? String } == ["2026-11-22T12:00:00Z", "2026-12-02T00:00:00Z", "2026-11-29T12:00:00Z"])
        #expect(windows.map { $0["active"] as? Bool } == [false, false, false])
        #expect(windows.map { $0["manualSync"] as? Bool } == [true, false, true])
        #expect(windows.map { $0["timeZone"] as? String } == ["America/Chicago", "UTC", "America/Chicago"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(root["from"] as? String == "2026-11-17T12:00:00Z")
        // Offline there is no pending plan to place in the windows.
        #expect(root["pendingSteps"] is NSNull)
        #expect(windows.allSatisfy { ($0["wouldRun"] as? [String])?.isEmpty == true })
    }

    @Test("--from inside a window marks it active, and a window that opened before --from is still listed first")
    func activeWindow() async throws {
        // Sunday 29 November 03:00 CST: inside sunday-night (02:00–06:00) and inside month-end-close (28th + 96h).
        let outcome = try await Subprocess.run(
            Self.offline + ["--from", "2026-11-29T03:00:00-06:00", "--count", "3", "--format", "json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let windows = try Self.windows(outcome.standardOutput)
        #expect(windows.map { $0["name"] as? String } == ["month-end-close", "sunday-night", "sunday-night"])
        #expect(windows.map { $0["start"] as? String } == ["2026-11-28T00:00:00Z", "2026-11-29T08:00:00Z", "2026-12-06T08:00:00Z"])
        #expect(windows.map { $0["active"] as? Bool } == [true, true, false])
    }

    @Test("the table shows local times with zone names, how far off each window is, and manual sync")
    func table() async throws {
        let outcome = try await Subprocess.run(Self.offline + ["--from", "2026-11-17T12:00:00Z", "--count", "3"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(outcome.standardOutput)")
        // Cells are separated by two spaces or more; a cell holds single spaces at most.
        let columns = lines.map { line in
            line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        #expect(columns[0] == ["WINDOW", "KIND", "START", "END", "ACTIVE", "MANUAL SYNC", "WOULD RUN"])
        #expect(columns[1] == ["sunday-night", "allow", "2026-11-22 02:00 CST", "2026-11-22 06:00 CST", "in 4d 20h", "yes", "-"])
        #expect(columns[2] == ["month-end-close", "deny", "2026-11-28 00:00 UTC", "2026-12-02 00:00 UTC", "in 10d 12h", "no", "-"])
        #expect(columns[3] == ["sunday-night", "allow", "2026-11-29 02:00 CST", "2026-11-29 06:00 CST", "in 11d 20h", "yes", "-"])

        let active = try await Subprocess.run(Self.offline + ["--from", "2026-11-22T03:00:00-06:00", "--count", "1"])
        #expect(active.status == 0, "\(active.standardError)")
        #expect(active.standardOutput.contains("2026-11-22 02:00 CST  2026-11-22 06:00 CST  yes"), "\(active.standardOutput)")
    }

    @Test("a --from that is not RFC 3339 exits non-zero with one sentence naming the option and the value")
    func badFrom() async throws {
        let outcome = try await Subprocess.run(Self.offline + ["--from", "next sunday"])
        #expect(outcome.status != 0)
        #expect(outcome.standardOutput.isEmpty, "\(outcome.standardOutput)")
        let first = outcome.standardError.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("--from must be an RFC 3339 time like 2026-11-29T02:30:00-06:00, not 'next sunday'"), "\(outcome.standardError)")
    }

    @Test("against a warehouse with a pending column change, the swap is placed in the next sunday-night and plan says it waits")
    func pendingSwapInWindow() async throws {
        let world = try await ApplyCommandTests.World.make("windows")
        let binary = WardenCLITests.binary

        let plan = try await Subprocess.run([binary, "plan", "--format", "json"] + world.unscheduled)
        #expect(plan.status == 2, "\(plan.standardError)")
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(plan.standardOutput.utf8)) as? [String: Any])
        let steps = try #require(planned["steps"] as? [[String: Any]])
        let swaps = steps.filter { $0["phase"] as? String == "swap" }.count
        #expect(swaps > 0)
        let expected = "swap: \(swaps) step\(swaps == 1 ? "" : "s")"

        let json = try await Subprocess.run(
            [binary, "windows", "--from", "2026-11-17T12:00:00Z", "--count", "3", "--format", "json"] + world.unscheduled)
        #expect(json.status == 0, "\(json.standardError)")
        #expect(json.standardError.isEmpty, "\(json.standardError)")
        let windows = try Self.windows(json.standardOutput)
        #expect(windows.first?["name"] as? String == "sunday-night")
        #expect(windows.first?["wouldRun"] as? [String] == [expected], "\(json.standardOutput)")
        // The deny window and the later Sunday get nothing.
        #expect(windows.dropFirst().allSatisfy { ($0["wouldRun"] as? [String])?.isEmpty == true })

        let table = try await Subprocess.run([binary, "windows", "--from", "2026-11-17T12:00:00Z", "--count", "3"] + world.unscheduled)
        #expect(table.status == 0, "\(table.standardError)")
        let sundayRow = table.standardOutput.split(separator: "\n").first { $0.hasPrefix("sunday-night") }
        #expect(sundayRow?.hasSuffix(expected) == true, "\(table.standardOutput)")
        #expect(table.standardOutput.contains("swap: waiting for window sunday-night: opens 2026-11-22 02:00 CST (in 4d 20h)"),
                "\(table.standardOutput)")

        let text = try await Subprocess.run([binary, "plan", "--at", "2026-11-17T12:00:00Z"] + world.unscheduled)
        #expect(text.status == 2, "\(text.standardError)")
        #expect(text.standardOutput.contains("when: evaluated at 2026-11-17T12:00:00Z"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("swap: waiting for window sunday-night"), "\(text.standardOutput)")
        // prepareAhead: the shadows may be built now.
        #expect(text.standardOutput.contains("prepare: now"), "\(text.standardOutput)")

        // The same for machines: the plan JSON's `when`, one entry per phase.
        let planJSON = try await Subprocess.run([binary, "plan", "--format", "json", "--at", "2026-11-17T12:00:00Z"] + world.unscheduled)
        #expect(planJSON.status == 2, "\(planJSON.standardError)")
        let when = (try JSONSerialization.jsonObject(with: Data(planJSON.standardOutput.utf8)) as? [String: Any])?["when"] as? [String: Any]
        #expect(when?["evaluatedAt"] as? String == "2026-11-17T12:00:00Z", "\(planJSON.standardOutput.prefix(2000))")
        let phases = Dictionary(
            ((when?["phases"] as? [[String: Any]]) ?? []).map { ($0["phase"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(phases["prepare"]?["status"] as? String == "now")
        #expect(phases["prepare"]?["start"] as? String == "2026-11-17T12:00:00Z")
        #expect(phases["swap"]?["status"] as? String == "waiting")
        #expect(phases["swap"]?["window"] as? String == "sunday-night")
        // 2026-11-22 02:00 CST is 08:00 UTC; the window runs until 06:00 CST.
        #expect(phases["swap"]?["start"] as? String == "2026-11-22T08:00:00Z", "\(String(describing: phases["swap"]))")
        #expect(phases["swap"]?["deadline"] as? String == "2026-11-22T12:00:00Z", "\(String(describing: phases["swap"]))")
        #expect((phases["swap"]?["text"] as? String)?.hasPrefix("waiting for window sunday-night") == true)

        // Listing windows and planning changed nothing.
        let drift = try await Subprocess.run([binary, "drift"] + world.unscheduled)
        #expect(drift.status == 2, "\(drift.standardOutput)\(drift.standardError)")
        await world.tearDown()
    }
}
