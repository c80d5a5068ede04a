import Controller
import Testing

@Suite("Ready: the summary condition")
struct ReadinessTests {
    @Test("stalled and degraded controllers are not Ready, with a reason; in sync, working, waiting or standing by they are",
          arguments: ControllerStatus.Phase.allCases)
    func byPhase(phase: ControllerStatus.Phase) {
        let ready = Readiness.evaluate(phase: phase, desiredLoaded: true, connected: true)
        switch phase {
        case .stalled:
            #expect(!ready.ready && ready.reason == "Stalled")
        case .degraded:
            #expect(!ready.ready && ready.reason == "Degraded")
        default:
            #expect(ready.ready && ready.reason == "Ready")
        }
    }

    @Test("without a database or a desired state nothing is Ready")
    func missingParts() {
        #expect(Readiness.evaluate(phase: .idle, desiredLoaded: false, connected: true).reason == "NotReady")
        #expect(Readiness.evaluate(phase: .idle, desiredLoaded: true, connected: false).reason == "NotReady")
    }
}
