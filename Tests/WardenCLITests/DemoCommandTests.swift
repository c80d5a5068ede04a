import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("warden demo", .integration, .hangGuard)
struct DemoCommandTests {
    /// Whether a process runs (a zombie nobody reaped yet counts as gone: it no longer serves anything).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    /// The text after `marker` on the first line that has it, up to `end` (or the line's end).
    static func value(in text: String, after marker: String, until end: String? = nil) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }),
              let start = line.range(of: marker)?.upperBound else { return nil }
        var rest = line[start...]
        if let end, let stop = rest.range(of: end)?.lowerBound { rest = rest[..<stop] }
        return String(rest)
    }

    @Test("demo --keep prints, unbuffered, a psql and a warden drift line that work; Ctrl-C stops the server and removes its folders")
    func keepThenInterrupt() async throws {
        let demo = try BackgroundProcess([WardenCLITests.binary, "demo", "--keep", "--as-of", "2025-01-08", "--first-year", "2025"])
        defer { Task { await demo.terminate() } }
        // Standard output is a file here, not a terminal: the lines must arrive while the demo waits.
        let ready = await eventually(.seconds(900)) {
            if demo.standardOutput.contains("Press Ctrl-C") { return true }
            return await demo.wait(timeout: .zero) != nil
        }
        let out = demo.standardOutput
        #expect(ready && out.contains("Press Ctrl-C"), "\(out)\(demo.standardError)")
        guard ready && out.contains("Press Ctrl-C") else { return }

        let clusterFolder = try #require(Self.value(in: out, after: "(socket in ", until: ")"), "\(out)")
        let desiredFolder = try #require(Self.value(in: out, after: "and so does the desired state in ", until: ". Explore"), "\(out)")
        let postmaster = try String(contentsOfFile: clusterFolder + "/data/postmaster.pid", encoding: .utf8)
        let serverPID = try #require(postmaster.split(separator: "\n").first.flatMap { pid_t($0) })
        #expect(Self.isRunning(serverPID))
        #expect(out.contains("  psql \"host="), "\(out)")

        // The printed drift command works against the kept server and desired state.
        let driftLine = try #require(Self.value(in: out, after: "  " + WardenCLITests.binary + " drift "), "\(out)")
        let drift = try await Subprocess.run(["/bin/sh", "-c", "exec '\(WardenCLITests.binary)' drift " + driftLine])
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        #expect(drift.standardOutput.contains("in sync"), "\(drift.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: desiredFolder + "/warehouse.yaml"))

        demo.signal(SIGINT)
        let status = await demo.wait(timeout: .seconds(300))
        #expect(status == 0, "\(demo.standardOutput)\(demo.standardError)")
        #expect(!Self.isRunning(serverPID), "the demo's PostgreSQL (pid \(serverPID)) still runs")
        #expect(!FileManager.default.fileExists(atPath: clusterFolder), "\(clusterFolder) is left behind")
        #expect(!FileManager.default.fileExists(atPath: desiredFolder), "\(desiredFolder) is left behind")
        #expect(demo.standardOutput.contains("▸ stopping the server"))
    }
}
