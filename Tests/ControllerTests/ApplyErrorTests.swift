import Executor
import Testing

@Suite("Apply errors")
struct ApplyErrorTests {
    @Test("a step stopped by a lost connection says that nothing is lost and to run again; other failures do not")
    func connectionLostAdvice() {
        let lost = ApplyError.stepFailed(
            runID: 7, step: 12, kind: "buildShadowDailyView", object: "landb.foodlogstats_2026_01_03__shadow", attempts: 4,
            message: "the connection was lost: server closed the connection unexpectedly")
        #expect(lost.description.hasSuffix(
            "(run 7; the remaining steps did not run); nothing is lost: finished steps are kept and recognized by their stamps; "
                + "run the same command again once the server answers, and it resumes where this one stopped (this run is then marked aborted)"))
        let failed = ApplyError.stepFailed(
            runID: 7, step: 12, kind: "buildShadowDailyView", object: "landb.foodlogstats_2026_01_03__shadow", attempts: 1,
            message: "relation \"x\" does not exist")
        #expect(!failed.description.contains("nothing is lost"))
    }
}
