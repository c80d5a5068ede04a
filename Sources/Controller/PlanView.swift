import Foundation
import Planner

/// The plan as the status page shows it: each phase with when it runs, and its steps.
///
/// The controller builds it from a ``Plan`` and the schedule (``init(plan:runs:)``); the page needs
/// nothing else, so the HTTP layer does not depend on the planner's types.
public struct PlanView: Sendable, Equatable, Codable {
    /// One step: what it does, how dangerous it is, what it touches, its estimate and its SQL.
    public struct Step: Sendable, Equatable, Codable {
        public var id: Int
        /// `online`, `brief-lock`, `blocking` or `destructive`.
        public var stepClass: String
        public var kind: String
        public var targets: [String]
        /// `~1.2 GB, 3m 10s`, or `nil` when nothing is known.
        public var estimate: String?
        /// The statements, `;`-terminated, one after the other.
        public var sql: String

        public init(id: Int, stepClass: String, kind: String, targets: [String], estimate: String?, sql: String) {
            self.id = id
            self.stepClass = stepClass
            self.kind = kind
            self.targets = targets
            self.estimate = estimate
            self.sql = sql
        }
    }

    /// One phase (`prepare`, `swap`, `cleanup`) with when it runs.
    public struct Phase: Sendable, Equatable, Codable {
        public var name: String
        /// When it runs, for people: `now (online steps run any time)`, `in window nightly, 2025-03-02 02:00 UTC`.
        public var runs: String
        /// The steps grouped by kind and template, one line each (``Plan/groupLines(in:)``).
        public var groups: [String]
        public var steps: [Step]

        public init(name: String, runs: String, groups: [String] = [], steps: [Step]) {
            self.name = name
            self.runs = runs
            self.groups = groups
            self.steps = steps
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            runs = try container.decode(String.self, forKey: .runs)
            groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
            steps = try container.decode([Step].self, forKey: .steps)
        }
    }

    public var revision: String?
    public var asOf: String
    public var strategy: String
    /// `low`, `medium` or `high`.
    public var risk: String
    public var riskReasons: [String]
    /// One line of figures: steps, extra disk, public-view lock time, estimated time.
    public var summary: String
    public var notes: [String]
    /// Phases with at least one step, in the order they run.
    public var phases: [Phase]

    public init(
        revision: String?, asOf: String, strategy: String, risk: String, riskReasons: [String], summary: String,
        notes: [String], phases: [Phase]
    ) {
        self.revision = revision
        self.asOf = asOf
        self.strategy = strategy
        self.risk = risk
        self.riskReasons = riskReasons
        self.summary = summary
        self.notes = notes
        self.phases = phases
    }

    /// The view of `plan`, with `runs(phase)` saying when each phase runs (from the schedule).
    public init(plan: Plan, runs: (PlanStep.Phase) -> String) {
        var figures = ["\(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s")"]
        if !plan.steps.isEmpty {
            figures.append("extra disk " + (plan.summary.extraDiskBytes.map(Self.bytes) ?? "unknown"))
            figures.append("public-view lock " + Self.seconds(plan.summary.publicViewLockSeconds))
            figures.append("estimated " + (plan.summary.estimatedSeconds.map(Self.seconds) ?? "unknown"))
        }
        self.init(
            revision: plan.revision, asOf: plan.asOf.description, strategy: plan.strategy.rawValue,
            risk: plan.summary.risk.rawValue, riskReasons: plan.summary.riskReasons,
            summary: figures.joined(separator: " · "), notes: plan.notes,
            phases: PlanStep.Phase.allCases.compactMap { phase in
                let steps = plan.steps(in: phase)
                guard !steps.isEmpty else { return nil }
                return Phase(name: phase.rawValue, runs: runs(phase), groups: plan.groupLines(in: phase), steps: steps.map { step in
                    var estimate: [String] = []
                    if let bytes = step.estimateBytes { estimate.append(Self.bytes(bytes)) }
                    if let seconds = step.estimateSeconds { estimate.append(Self.seconds(seconds)) }
                    return Step(
                        id: step.id, stepClass: step.stepClass.rawValue, kind: step.kind.rawValue, targets: step.targets,
                        estimate: estimate.isEmpty ? nil : "~" + estimate.joined(separator: ", "),
                        sql: step.statements.map { $0 + ";" }.joined(separator: "\n"))
                })
            })
    }

    /// `1.2 GB`, `340.0 MB`, `12.0 kB`: the plan text's units (1024), so `warden plan` and the page agree.
    static func bytes(_ value: Double) -> String { Plan.bytes(value) }

    /// `0.05 s`, `42 s`, `3m 10s`, `2h 5m`.
    static func seconds(_ value: Double) -> String {
        if value < 60 { return value < 10 ? String(format: "%.2f s", value) : String(format: "%.0f s", value) }
        let whole = Int(value.rounded())
        if whole < 3_600 { return "\(whole / 60)m \(whole % 60)s" }
        return "\(whole / 3_600)h \(whole % 3_600 / 60)m"
    }
}
