import CoreMetrics
import Drift
import Planner
import Synchronization
import WardenModel

/// The controller's metrics, named as DESIGN.md §7 lists them.
///
/// Made from an injected `MetricsFactory` rather than the global `MetricsSystem`, so two controllers
/// in one process (tests) each count on their own, and libraries never bootstrap anything. The series
/// people alert on exist from the start with zero values (`warden_leader 0`, `warden_reconcile_total`
/// for every result), so `rate()` and absence checks work before the first pass.
public final class WardenMetrics: Sendable {
    /// The metric names, exactly as exported.
    public enum Name {
        public static let reconcileTotal = "warden_reconcile_total"
        public static let reconcileDuration = "warden_reconcile_duration_seconds"
        public static let driftItems = "warden_drift_items"
        public static let windowActive = "warden_window_active"
        public static let leader = "warden_leader"
        public static let gitFetchTotal = "warden_git_fetch_total"
        public static let stepDuration = "warden_step_duration_seconds"
        public static let swapLock = "warden_swap_lock_seconds"

        /// All of them.
        public static let all = [
            reconcileTotal, reconcileDuration, driftItems, windowActive, leader, gitFetchTotal, stepDuration, swapLock,
        ]
    }

    /// How a fetch of the repository ended: the `result` label of `warden_git_fetch_total`.
    public enum FetchResult: String, Sendable, CaseIterable {
        /// A new commit at the ref.
        case updated
        /// The ref had not moved.
        case unchanged
        case failed
    }

    /// Histogram buckets suited to each duration (a reconcile takes seconds to hours; a swap's lock
    /// milliseconds), for factories that take buckets per name, such as swift-prometheus's
    /// `durationHistogramBuckets`.
    public static let durationBuckets: [String: [Duration]] = [
        Name.reconcileDuration: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1_800, 3_600, 7_200, 14_400].map(seconds),
        Name.stepDuration: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3_600, 7_200].map(seconds),
        Name.swapLock: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map(seconds),
    ]

    private static func seconds(_ value: Double) -> Duration { .milliseconds(Int64((value * 1_000).rounded())) }

    private struct DriftKey: Hashable {
        var template: String
        var kind: String
    }

    private let factory: any MetricsFactory
    private let reconcileCounters: [ReconcileResult: Counter]
    private let reconcileDuration: Timer
    private let fetchCounters: [FetchResult: Counter]
    private let leaderGauge: Gauge
    private let windowGauges: [MaintenanceWindow.Kind: Gauge]
    private let stepTimers: [PlanStep.StepClass: Timer]
    private let swapLockTimer: Timer
    /// The drift gauges set so far: the ones absent from the newest report go back to zero.
    private let driftGauges = Mutex<[DriftKey: Gauge]>([:])

    /// Creates every fixed series at zero through `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        reconcileCounters = Dictionary(uniqueKeysWithValues: ReconcileResult.allCases.map { result in
            (result, Counter(label: Name.reconcileTotal, dimensions: [("result", result.rawValue)], factory: factory))
        })
        reconcileDuration = Timer(label: Name.reconcileDuration, dimensions: [], factory: factory)
        fetchCounters = Dictionary(uniqueKeysWithValues: FetchResult.allCases.map { result in
            (result, Counter(label: Name.gitFetchTotal, dimensions: [("result", result.rawValue)], factory: factory))
        })
        leaderGauge = Gauge(label: Name.leader, dimensions: [], factory: factory)
        windowGauges = Dictionary(uniqueKeysWithValues: [MaintenanceWindow.Kind.allow, .deny].map { kind in
            (kind, Gauge(label: Name.windowActive, dimensions: [("kind", kind.rawValue)], factory: factory))
        })
        stepTimers = Dictionary(uniqueKeysWithValues: PlanStep.StepClass.allCases.map { stepClass in
            (stepClass, Timer(label: Name.stepDuration, dimensions: [("class", stepClass.rawValue)], factory: factory))
        })
        swapLockTimer = Timer(label: Name.swapLock, dimensions: [], factory: factory)

        for counter in reconcileCounters.values { counter.increment(by: 0) }
        for counter in fetchCounters.values { counter.increment(by: 0) }
        leaderGauge.record(0)
        for gauge in windowGauges.values { gauge.record(0) }
    }

    /// A pass ended: `warden_reconcile_total{result}` and `warden_reconcile_duration_seconds`.
    public func reconciled(result: ReconcileResult, seconds: Double) {
        reconcileCounters[result]?.increment()
        reconcileDuration.recordSeconds(max(0, seconds))
    }

    /// The drift of the newest pass: `warden_drift_items{template,kind}` per template and kind; pairs of
    /// earlier passes that are gone now read 0. Items about no template count under `template=""`.
    public func setDrift(items: [DriftItem]) {
        var counts: [DriftKey: Int] = [:]
        for item in items {
            counts[DriftKey(template: item.template ?? "", kind: item.kind.rawValue), default: 0] += 1
        }
        driftGauges.withLock { gauges in
            for key in counts.keys where gauges[key] == nil {
                gauges[key] = Gauge(
                    label: Name.driftItems, dimensions: [("template", key.template), ("kind", key.kind)], factory: factory)
            }
            for (key, gauge) in gauges { gauge.record(counts[key] ?? 0) }
        }
    }

    /// Whether this replica is the leader: `warden_leader` 1 or 0.
    public func setLeader(_ leader: Bool) {
        leaderGauge.record(leader ? 1 : 0)
    }

    /// A fetch of the repository ended: `warden_git_fetch_total{result}`.
    public func gitFetched(result: FetchResult) {
        fetchCounters[result]?.increment()
    }

    /// A step ran: `warden_step_duration_seconds{class}`.
    public func stepFinished(class stepClass: PlanStep.StepClass, seconds: Double) {
        stepTimers[stepClass]?.recordSeconds(max(0, seconds))
    }

    /// How long a swap held its locks on live objects: `warden_swap_lock_seconds`.
    public func swapLockHeld(seconds: Double) {
        swapLockTimer.recordSeconds(max(0, seconds))
    }

    /// Whether a window of `kind` is open now: `warden_window_active{kind}` 1 or 0.
    public func windowActive(kind: MaintenanceWindow.Kind, _ active: Bool) {
        windowGauges[kind]?.record(active ? 1 : 0)
    }
}
