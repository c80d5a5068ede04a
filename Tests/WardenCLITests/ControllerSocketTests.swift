import Foundation
import TestSupport
import Testing

/// The controller's HTTP server against clients that open sockets and never finish a request, on the
/// real `warden run` process (its own threads and event loops, as in production): more idle sockets
/// than the cap, and `/healthz` still answers.
@Suite("warden run: idle and slow HTTP clients", .integration, .hangGuard)
struct ControllerSocketTests {
    @Test("300 idle sockets (the cap is 256): /healthz answers, the one that waited longest is closed at once, a half-sent request after the idle timeout")
    func idleSocketsCannotStarveTheProbe() async throws {
        let rig = try await ControllerRunTests.Rig.make("run_sockets")
        let port = try HTTP.freePort()
        let controller = try rig.start(port: port)
        let serving = await ControllerRunTests.eventually(.seconds(60)) { await ControllerRunTests.status(port) != nil }
        #expect(serving, "\(controller.standardError)")

        var idle: [RawSocket] = []
        for _ in 0..<300 { idle.append(try RawSocket(port: port)) }
        let probe = try RawSocket(port: port)
        probe.send("GET /healthz HTTP/1.1\r\nHost: warden\r\nConnection: close\r\n\r\n")
        let answer = await blocking { probe.read(within: 60) }
        #expect(answer?.hasPrefix("HTTP/1.1 200") == true, "\(answer ?? "no answer")")
        probe.close()

        // The first idle socket has waited longest: a later connection past the 256th closed it. Its
        // idle timeout (15 s) is later still; 60 s is a hang guard.
        let oldest = idle[0]
        #expect(await blocking { oldest.closedByServer(within: 60) })
        // A request head never finished, sent last (so no later connection pushes it out), is closed
        // by the idle timeout.
        let partial = try RawSocket(port: port)
        partial.send("GET /healthz HTTP/1.1\r\nHost: war")
        let missingBody = try RawSocket(port: port)
        missingBody.send("POST /api/v1/reconcile HTTP/1.1\r\nHost: warden\r\nContent-Length: 100\r\n\r\n{")
        #expect(await blocking { partial.closedByServer(within: 60) })
        // A body never sent in full is closed by the request timeout.
        #expect(await blocking { missingBody.closedByServer(within: 60) })
        partial.close()
        missingBody.close()
        for socket in idle { socket.close() }

        await controller.terminate()
        await rig.tearDown()
    }
}
