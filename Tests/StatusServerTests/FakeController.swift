import Controller
import Executor
import Foundation

/// An in-memory controller: what the HTTP layer reads is set by the test, what it asks for is recorded.
actor FakeController: ControllerAPI {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection to warden@db.internal:5432/warehouse refused" }
    }

    var currentStatus: ControllerStatus
    var drift: String?
    var plan: String?
    var view: PlanView?
    var windowList: [WindowView] = []
    var runRecords: [RunRecord] = []
    var runsFail = false
    var ready = true
    var reason: String?

    private(set) var reconcileRequests = 0
    private(set) var suspensions: [String] = []
    private(set) var resumes = 0
    private(set) var webhooks = 0
    private(set) var runLimits: [Int] = []

    init(status: ControllerStatus = FakeController.sampleStatus) {
        currentStatus = status
    }

    func set(drift: String?, plan: String? = nil, view: PlanView? = nil) {
        self.drift = drift
        self.plan = plan
        self.view = view
    }

    func set(windows: [WindowView]) { windowList = windows }
    func set(runs: [RunRecord], failing: Bool = false) {
        runRecords = runs
        runsFail = failing
    }
    func set(ready: Bool, reason: String?) {
        self.ready = ready
        self.reason = reason
    }
    func set(status: ControllerStatus) { currentStatus = status }

    // MARK: ControllerAPI

    func status() async -> ControllerStatus { currentStatus }
    func driftJSON() async -> String? { drift }
    func planJSON() async -> String? { plan }
    func planView() async -> PlanView? { view }
    func windows() async -> [WindowView] { windowList }

    func runs(limit: Int) async throws -> [RunRecord] {
        runLimits.append(limit)
        if runsFail { throw Unreachable() }
        return Array(runRecords.prefix(limit))
    }

    func isReady() async -> Bool { ready }
    func notReadyReason() async -> String? { reason }
    func requestReconcile() async { reconcileRequests += 1 }

    func suspend(reason: String) async {
        suspensions.append(reason)
        currentStatus.phase = .suspended
        currentStatus.suspended = .init(reason: reason, since: Self.now)
    }

    func resume() async {
        resumes += 1
        currentStatus.phase = .idle
        currentStatus.suspended = nil
    }

    func gitWebhook() async { webhooks += 1 }

    // MARK: Samples

    static let now = Date(timeIntervalSince1970: 1_740_880_800)  // 2025-03-02T02:00:00Z

    static var sampleStatus: ControllerStatus {
        var status = ControllerStatus.starting(mode: .apply, at: now)
        status.leader = true
        status.phase = .idle
        status.revision = "0123456789abcdef0123456789abcdef01234567"
        status.setCondition(.ready, .true, reason: "InSync", message: "the warehouse matches the desired state", at: now)
        return status
    }
}
