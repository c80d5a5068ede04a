import Controller
import Executor
import Foundation
import Planner
import Scheduler

/// What the status page's template reads, already as text.
///
/// Rows hold plain strings and flags, never optionals: Mustache looks a missing (or `nil`) key up in the
/// enclosing sections, which could show a value from elsewhere on the page.
struct StatusPageModel {
    struct ConditionRow {
        var type: String
        var status: String
        var tone: String
        var reason: String
        var message: String
        var since: String
    }

    struct DriftRow {
        var template: String
        var tenant: String
        var object: String
        var kind: String
        var expected: String
        var found: String
        var remedy: String
        /// When the pending plan fixes it, or why no plan does.
        var fixed: String
    }

    struct DriftModel {
        var summary: String
        var hasItems: Bool
        var items: [DriftRow]
    }

    struct StepRow {
        var id: String
        var stepClass: String
        var tone: String
        var kind: String
        var targets: String
        var estimate: String
        var sql: String
    }

    struct PhaseModel {
        var name: String
        var runs: String
        var groups: [String]
        var steps: [StepRow]
        /// Set when more steps than ``StatusPageModel/stepsShownPerPhase``: the rest are in the API.
        var more: String?
    }

    /// The steps of a phase listed one by one on the page (with their SQL); a plan of 230 steps is its
    /// groups, these, and a pointer to `GET /api/v1/plan`, not a page of half a megabyte.
    static let stepsShownPerPhase = 12

    struct PlanModel {
        var summary: String
        var risk: String
        var riskTone: String
        var riskReasons: String
        var asOf: String
        var revision: String
        var strategy: String
        var hasNotes: Bool
        var notes: [String]
        var phases: [PhaseModel]
    }

    struct WindowRow {
        var name: String
        var kind: String
        var start: String
        var end: String
        var active: Bool
        var manualSync: Bool
    }

    struct RunRow {
        var runID: String
        var startedAt: String
        var status: String
        var tone: String
        var steps: String
        var succeeded: String
        var failed: String
        var pending: String
        var duration: String
        var revision: String
        var command: String
        var note: String
    }

    var phase: String
    var phaseTone: String
    var leader: Bool
    var mode: String
    var revision: String
    var lastAppliedRevision: String
    var lastGoodRevision: String
    var nextWindow: String
    var lastReconcile: String
    var isSuspended: Bool
    var suspendedSince: String
    var suspendedReason: String
    var hasDiagnostics: Bool
    var diagnostics: [String]
    var conditions: [ConditionRow]
    var drift: DriftModel
    var plan: PlanModel?
    var noPlan: String
    var hasWindows: Bool
    var windows: [WindowRow]
    var hasRuns: Bool
    var runs: [RunRow]
    var runsError: String?

    init(
        status: ControllerStatus, driftJSON: String?, plan: PlanView?, windows: [WindowView],
        runs: Result<[RunRecord], any Error>
    ) {
        phase = status.phase.rawValue
        phaseTone = switch status.phase {
        case .idle: "ok"
        case .reconciling, .starting, .standby: "quiet"
        case .blockedByWindow, .suspended: "warn"
        case .stalled, .degraded: "bad"
        }
        leader = status.leader
        mode = status.mode.rawValue
        revision = status.revision ?? "—"
        lastAppliedRevision = status.lastAppliedRevision ?? "—"
        lastGoodRevision = status.lastGoodRevision ?? "—"
        nextWindow = status.nextWindow.map { window in
            "\(window.name) (\(window.kind.rawValue)) " + (window.active ? "open until \(Timestamp.string(window.end))"
                : "\(Timestamp.string(window.start)) – \(Timestamp.string(window.end))")
        } ?? "no windows configured"
        lastReconcile = status.lastReconcile.map { last in
            "\(last.result.rawValue) at \(Timestamp.string(last.at)) in \(String(format: "%.1f", last.seconds)) s · "
                + "\(last.driftItems) drift item\(last.driftItems == 1 ? "" : "s") · \(last.steps) step\(last.steps == 1 ? "" : "s") run"
        } ?? "none yet"
        isSuspended = status.suspended != nil
        suspendedSince = status.suspended.map { Timestamp.string($0.since) } ?? ""
        suspendedReason = status.suspended?.reason ?? ""
        hasDiagnostics = status.phase == .stalled && !status.diagnostics.isEmpty
        diagnostics = status.diagnostics
        conditions = status.conditions.map { condition in
            let healthy = condition.type == .suspended ? condition.status == .false : condition.status == .true
            return ConditionRow(
                type: condition.type.rawValue, status: condition.status.rawValue,
                tone: condition.status == .unknown ? "quiet" : healthy ? "ok" : "warn",
                reason: condition.reason, message: condition.message, since: Timestamp.string(condition.lastTransitionTime))
        }
        drift = Self.driftModel(driftJSON)
        self.plan = plan.map(Self.planModel)
        noPlan = driftJSON == nil ? "No plan yet: the first reconcile pass has not finished." : "No plan: nothing to reconcile."
        hasWindows = !windows.isEmpty
        self.windows = windows.map { window in
            WindowRow(
                name: window.name, kind: window.kind.rawValue, start: Self.instant(window.start, timeZone: window.timeZone),
                end: Self.instant(window.end, timeZone: window.timeZone), active: window.active, manualSync: window.manualSync)
        }
        switch runs {
        case .success(let records):
            self.runs = records.map(Self.runRow)
            runsError = nil
        case .failure(let error):
            self.runs = []
            runsError = "cannot read _wh.warden_runs: \(error)"
        }
        hasRuns = !self.runs.isEmpty
    }

    /// The drift report's stable JSON (`warden drift --format json`), read back for the table.
    struct DriftReportJSON: Decodable {
        struct Item: Decodable {
            var kind: String
            var template: String?
            var tenant: String?
            var object: String
            var expected: String
            var found: String
            var remedy: String
            struct Fix: Decodable { var text: String }
            var fix: Fix?
        }

        var revision: String?
        var asOf: String
        var items: [Item]
        var preparedShadows: Int?
    }

    static func driftModel(_ json: String?) -> DriftModel {
        guard let json else {
            return DriftModel(summary: "No drift report yet: the first reconcile pass has not finished.", hasItems: false, items: [])
        }
        guard let report = try? JSONDecoder().decode(DriftReportJSON.self, from: Data(json.utf8)) else {
            return DriftModel(summary: "The drift report could not be read; see /api/v1/drift.", hasItems: false, items: [])
        }
        let at = report.revision.map { " at \(String($0.prefix(12)))" } ?? ""
        let prepared = report.preparedShadows ?? 0
        let progress = prepared == 0 ? ""
            : " \(prepared) shadow\(prepared == 1 ? "" : "s") built by an earlier apply wait for the plan's swap (progress, not drift)."
        let summary = (report.items.isEmpty
            ? "In sync as of \(report.asOf)\(at): the warehouse matches the desired state."
            : "\(report.items.count) item\(report.items.count == 1 ? "" : "s") of drift as of \(report.asOf)\(at).") + progress
        return DriftModel(summary: summary, hasItems: !report.items.isEmpty, items: report.items.map { item in
            DriftRow(
                template: item.template ?? "—", tenant: item.tenant ?? "—", object: item.object, kind: item.kind,
                expected: item.expected, found: item.found, remedy: item.remedy, fixed: item.fix?.text ?? "—")
        })
    }

    /// A window's instant on the wall clock it is declared in, then in UTC: `2026-03-22 02:00 CDT
    /// (2026-03-22T07:00:00Z)`; UTC alone for a window declared in UTC.
    static func instant(_ date: Date, timeZone: String?) -> String {
        guard let timeZone, !["UTC", "Etc/UTC", "GMT"].contains(timeZone) else { return Timestamp.string(date) }
        return "\(ScheduleText.local(date, timeZone: timeZone)) (\(Timestamp.string(date)))"
    }

    static func planModel(_ plan: PlanView) -> PlanModel {
        PlanModel(
            summary: plan.summary, risk: plan.risk,
            riskTone: tone(risk: plan.risk),
            riskReasons: plan.riskReasons.joined(separator: "; "), asOf: plan.asOf,
            revision: plan.revision.map { String($0.prefix(12)) } ?? "—", strategy: plan.strategy, hasNotes: !plan.notes.isEmpty,
            notes: plan.notes,
            phases: plan.phases.map { phase in
                PhaseModel(name: phase.name, runs: phase.runs, groups: phase.groups, steps: phase.steps.prefix(stepsShownPerPhase).map { step in
                    StepRow(
                        id: String(step.id), stepClass: step.stepClass,
                        tone: tone(stepClass: step.stepClass),
                        kind: step.kind, targets: Plan.shortList(step.targets, limit: 6), estimate: step.estimate ?? "—",
                        sql: step.sql)
                }, more: phase.steps.count > stepsShownPerPhase
                    ? "… and \(phase.steps.count - stepsShownPerPhase) more steps: GET /api/v1/plan has every step with its SQL" : nil)
            })
    }

    static func runRow(_ run: RunRecord) -> RunRow {
        RunRow(
            runID: String(run.runID), startedAt: run.startedAt,
            status: run.supersededBy.map { "superseded by run \($0)" } ?? run.status,
            tone: tone(runStatus: run.status),
            steps: String(run.steps), succeeded: String(run.succeeded), failed: String(run.failed), pending: String(run.pending),
            duration: run.durationSeconds.map { String(format: "%.1f s", $0) } ?? "—",
            revision: run.revision.map { String($0.prefix(12)) } ?? "—", command: run.command,
            note: [run.reason, run.error].compactMap { $0 }.joined(separator: " · "))
    }

    static func tone(risk: String) -> String {
        switch risk {
        case "low": "ok"
        case "medium": "warn"
        default: "bad"
        }
    }

    static func tone(stepClass: String) -> String {
        switch stepClass {
        case "online": "ok"
        case "brief-lock": "quiet"
        case "blocking": "warn"
        default: "bad"
        }
    }

    static func tone(runStatus: String) -> String {
        switch runStatus {
        case "succeeded": "ok"
        case "running", "waiting", "superseded": "quiet"
        case "refused", "aborted": "warn"
        default: "bad"
        }
    }
}
