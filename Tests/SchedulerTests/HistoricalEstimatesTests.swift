import Foundation
import Planner
import Scheduler
import Testing
import WardenModel

@Suite("Estimates from recorded durations")
struct HistoricalEstimatesTests {
    static let megabyte = 1_000_000.0

    /// A step of `kind` over `bytes`, with the planner's estimate `seconds`.
    func planned(_ kind: PlanStep.Kind, id: Int = 1, bytes: Double? = nil, seconds: Double? = nil) -> PlanStep {
        PlanStep(
            id: id, phase: kind == .buildShadowDailyView ? .prepare : .swap, kind: kind,
            stepClass: kind == .buildShadowDailyView ? .online : .briefLock, targets: ["landb.foodlogstats"],
            statements: ["SELECT 1"], estimateBytes: bytes, estimateSeconds: seconds)
    }

    func sample(_ kind: PlanStep.Kind, megabytes: Double?, seconds: Double) -> StepSample {
        StepSample(kind: kind, bytes: megabytes.map { $0 * Self.megabyte }, seconds: seconds)
    }

    @Test("a step of a recorded size range takes the recorded rate of the similar samples times its size")
    func rateFromSimilarSizes() {
        let estimates = HistoricalEstimates([
            sample(.buildShadowDailyView, megabytes: 100, seconds: 10),
            sample(.buildShadowDailyView, megabytes: 200, seconds: 30),
            // 10 GB is more than 4× the step's 150 MB: not similar, its slow rate must not count.
            sample(.buildShadowDailyView, megabytes: 10_000, seconds: 5_000),
            // Another kind is never mixed in.
            sample(.createIndex, megabytes: 150, seconds: 900),
        ])
        let (seconds, source) = estimates.estimate(planned(.buildShadowDailyView, bytes: 150 * Self.megabyte, seconds: 7.5))
        // 40 s over 300 MB, times 150 MB.
        #expect(abs(seconds - 20) < 1e-9)
        #expect(source == .recordedRate(samples: 2))
    }

    @Test("sizes at exactly four times apart still count as similar, just beyond do not")
    func similarityBound() {
        let estimates = HistoricalEstimates([sample(.buildShadowDailyView, megabytes: 400, seconds: 40)])
        #expect(estimates.estimate(planned(.buildShadowDailyView, bytes: 100 * Self.megabyte)).source == .recordedRate(samples: 1))
        #expect(estimates.estimate(planned(.buildShadowDailyView, bytes: 99 * Self.megabyte)).source == .recordedMedian(samples: 1))
    }

    @Test("when no recorded size is similar, the median duration of the kind")
    func medianWhenSizesDiffer() {
        let estimates = HistoricalEstimates([
            sample(.buildShadowDailyView, megabytes: 1_000, seconds: 10),
            sample(.buildShadowDailyView, megabytes: 2_000, seconds: 90),
            sample(.buildShadowDailyView, megabytes: 3_000, seconds: 20),
        ])
        let (seconds, source) = estimates.estimate(planned(.buildShadowDailyView, bytes: 1 * Self.megabyte, seconds: 0.05))
        #expect(seconds == 20)
        #expect(source == .recordedMedian(samples: 3))
    }

    @Test("the median of an even number of samples is the mean of the middle two; samples without sizes count")
    func medianOfEvenCountAndUnsizedSamples() {
        let estimates = HistoricalEstimates([
            sample(.replaceTenantView, megabytes: nil, seconds: 0.004),
            sample(.replaceTenantView, megabytes: nil, seconds: 0.010),
            sample(.replaceTenantView, megabytes: nil, seconds: 0.002),
            sample(.replaceTenantView, megabytes: nil, seconds: 0.100),
        ])
        // A step without a size cannot use a rate either.
        let (seconds, source) = estimates.estimate(planned(.replaceTenantView, seconds: 0.005))
        #expect(abs(seconds - 0.007) < 1e-12)
        #expect(source == .recordedMedian(samples: 4))
    }

    @Test("with nothing recorded for the kind, the planner's estimate from relation sizes")
    func plannerEstimateWhenNothingRecorded() {
        let estimates = HistoricalEstimates([sample(.createIndex, megabytes: 100, seconds: 2)])
        let (seconds, source) = estimates.estimate(planned(.buildShadowDailyView, bytes: 100 * Self.megabyte, seconds: 5))
        #expect(seconds == 5)
        #expect(source == .relationSizes)
        #expect(!estimates.isEmpty)
    }

    @Test("with neither samples nor a planner estimate, the floor of the kind", arguments: PlanStep.Kind.allCases)
    func floorWhenNothingKnown(kind: PlanStep.Kind) {
        let estimates = HistoricalEstimates([])
        #expect(estimates.isEmpty)
        let (seconds, source) = estimates.estimate(planned(kind))
        #expect(source == .floor)
        #expect(seconds == HistoricalEstimates.floor(kind))
        let builds: Set<PlanStep.Kind> = [
            .buildDailyView, .buildShadowDailyView, .refreshDailyView, .createIndex, .buildShadowYearlyTable, .buildYearlyTable,
            .checkConversion,
        ]
        #expect(seconds == (builds.contains(kind) ? 1 : 0.005))
    }

    @Test("negative recorded durations (a clock that went back) are ignored")
    func negativeSamplesIgnored() {
        let estimates = HistoricalEstimates([sample(.replaceTenantView, megabytes: nil, seconds: -3)])
        #expect(estimates.isEmpty)
        #expect(estimates.estimate(planned(.replaceTenantView, seconds: 0.005)).source == .relationSizes)
    }

    @Test("apply(to:) gives every step an estimate and recomputes the summary")
    func applyToPlan() throws {
        let plan = Plan(
            steps: [
                planned(.buildShadowDailyView, id: 1, bytes: 150 * Self.megabyte, seconds: 7.5),
                planned(.buildShadowDailyView, id: 2, bytes: nil, seconds: nil),
                planned(.replaceTenantView, id: 3, seconds: nil),
                planned(.replaceTenantView, id: 4, seconds: 0.005),
            ],
            revision: nil, asOf: Day("2026-11-17")!, strategy: .shadowSwap, notes: [])
        #expect(plan.summary.estimatedSeconds == nil)

        let estimates = HistoricalEstimates([
            sample(.buildShadowDailyView, megabytes: 100, seconds: 10),
            sample(.buildShadowDailyView, megabytes: 200, seconds: 30),
            sample(.replaceTenantView, megabytes: nil, seconds: 0.2),
        ])
        let estimated = estimates.apply(to: plan)
        let seconds = estimated.steps.map(\.estimateSeconds)
        #expect(seconds.allSatisfy { $0 != nil })
        // Rate for the sized build, the build median for the unsized one, the recorded median for both swaps.
        #expect(abs((seconds[0] ?? 0) - 20) < 1e-9)
        #expect(seconds[1] == 20)
        #expect(seconds[2] == 0.2)
        #expect(seconds[3] == 0.2)
        let total = try #require(estimated.summary.estimatedSeconds)
        #expect(abs(total - 40.4) < 1e-9)
        // The lock time readers of the public view see is recomputed too.
        #expect(abs(estimated.summary.publicViewLockSeconds - 0.4) < 1e-9)
        #expect(estimated.steps.map(\.id) == plan.steps.map(\.id))
        #expect(estimated.steps.map(\.statements) == plan.steps.map(\.statements))
    }
}
