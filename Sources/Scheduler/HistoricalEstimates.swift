import Planner

/// One recorded step: what kind it was, how big its target was and how long it took.
public struct StepSample: Sendable, Hashable {
    public var kind: PlanStep.Kind
    /// Bytes of the step's target when it ran, if known.
    public var bytes: Double?
    public var seconds: Double

    public init(kind: PlanStep.Kind, bytes: Double?, seconds: Double) {
        self.kind = kind
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// Estimates from the durations recorded in `_wh.warden_steps` (DESIGN.md §6): for a step of a kind
/// with samples on similar sizes (within a factor of 4), the recorded rate of those samples times the
/// step's size; else the median duration of the kind; else the planner's estimate from relation sizes;
/// else a floor per kind, so every step of a plan has an estimate.
public struct HistoricalEstimates: Sendable {
    /// How far apart sizes may be and still count as similar.
    public static let similarSizeFactor = 4.0
    /// The estimate of a step nothing is known about: a catalog statement for the cheap kinds, a
    /// second for builds.
    public static func floor(_ kind: PlanStep.Kind) -> Double {
        switch kind {
        case .buildDailyView, .buildShadowDailyView, .refreshDailyView, .createIndex, .buildShadowYearlyTable, .buildYearlyTable, .checkConversion: 1
        default: 0.005
        }
    }

    private let samplesByKind: [PlanStep.Kind: [StepSample]]

    public init(_ samples: [StepSample]) {
        samplesByKind = Dictionary(grouping: samples.filter { $0.seconds >= 0 }, by: \.kind)
    }

    /// Whether nothing was recorded.
    public var isEmpty: Bool { samplesByKind.isEmpty }

    /// The estimate for `step`, in seconds, and where it came from.
    public func estimate(_ step: PlanStep) -> (seconds: Double, source: Source) {
        let samples = samplesByKind[step.kind] ?? []
        if let bytes = step.estimateBytes, bytes > 0 {
            let similar = samples.filter { sample in
                guard let size = sample.bytes, size > 0 else { return false }
                return size / bytes <= Self.similarSizeFactor && bytes / size <= Self.similarSizeFactor
            }
            if !similar.isEmpty {
                let rate = similar.reduce(0) { $0 + $1.seconds } / similar.reduce(0) { $0 + ($1.bytes ?? 0) }
                return (rate * bytes, .recordedRate(samples: similar.count))
            }
        }
        if !samples.isEmpty {
            return (Self.median(samples.map(\.seconds)), .recordedMedian(samples: samples.count))
        }
        if let planned = step.estimateSeconds { return (planned, .relationSizes) }
        return (Self.floor(step.kind), .floor)
    }

    /// Every step of `plan` with an estimate.
    public func apply(to plan: Plan) -> Plan {
        plan.reestimated { estimate($0).seconds }
    }

    /// Where an estimate came from.
    public enum Source: Sendable, Hashable {
        case recordedRate(samples: Int)
        case recordedMedian(samples: Int)
        case relationSizes
        case floor
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
