import WardenModel

/// What reconciling a drift report does (DESIGN.md §5): steps in phase order, notes for what is not
/// planned, and a summary. Deterministic for the same inputs.
public struct Plan: Sendable, Hashable, Codable {
    /// The machine format's version; fields are added, never change meaning.
    public var version: Int
    /// Steps in the order they run: prepare, then swap, then cleanup.
    public var steps: [PlanStep]
    /// The commit of the desired state, or `nil` for a plain folder.
    public var revision: String?
    public var asOf: Day
    public var strategy: Policy.Strategy
    /// What the planner wants people to know: drift it does not plan yet, what it reused, what it keeps.
    public var notes: [String]
    public var summary: PlanSummary
    /// When each phase may run; `nil` until the scheduler fills it in (``PlanSchedule``).
    public var when: PlanSchedule?
    /// The planned changes that need `allowDestructive` whatever their steps' classes: a column removed,
    /// renamed or retyped, a tenant removed (`template.column.renamed foodlogstats.weight_kg`). A rename
    /// loses no row, but breaks every query that names the old column.
    public var destructiveChanges: [String] = []
    /// Drift this plan cannot reconcile yet (`tenant.missing west`), each with its reason in ``notes``:
    /// what is left once the plan has run. `warden plan` exits 2 while it is not empty, so a CI gate on
    /// the plan does not pass over drift nothing will fix.
    public var unplanned: [String] = []
    /// Shadows an earlier apply built (prepare ahead of a window, or a run that stopped) that this plan
    /// swaps in as they are, by qualified name: the plan's progress. Drift leaves them out of
    /// `shadow.leftover` (``DriftReport/settingAside(progressOf:)``), which is only what no plan reuses.
    public var prepared: [String] = []
    /// The routine steps due beside this plan (DESIGN.md §6b), in their own numbering: they run first,
    /// whatever the windows say, as a run of their own. Empty in a routine plan itself.
    public var routine: [PlanStep] = []
    /// Why each of ``unplanned`` is not planned (also in ``notes``); not in the machine format, where the
    /// drift items' `fix` carries it.
    public var unplannedReasons: [String: String] = [:]
    /// Set when the as-of date is not after what the warehouse has built (``AsOfRegression``): applying
    /// would take built days or yearly tables out of the views, so it is refused unless told otherwise.
    public var asOfRegression: AsOfRegression? {
        didSet { summary = Plan.summarize(steps, regression: asOfRegression) }
    }

    public init(steps: [PlanStep], revision: String?, asOf: Day, strategy: Policy.Strategy, notes: [String]) {
        self.version = 1
        self.steps = steps
        self.revision = revision
        self.asOf = asOf
        self.strategy = strategy
        self.notes = notes
        self.summary = Plan.summarize(steps)
    }

    /// Nothing to run.
    public var isEmpty: Bool { steps.isEmpty }

    /// Nothing to run and nothing left over: the warehouse matches the desired state.
    public var isInSync: Bool { steps.isEmpty && unplanned.isEmpty }

    /// The steps of one phase, in order.
    public func steps(in phase: PlanStep.Phase) -> [PlanStep] { steps.filter { $0.phase == phase } }

    enum CodingKeys: String, CodingKey {
        case version, revision, asOf, strategy, notes, summary, when, destructiveChanges, unplanned, prepared, asOfRegression, steps
        case routine
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        asOf = try container.decode(Day.self, forKey: .asOf)
        strategy = try container.decode(Policy.Strategy.self, forKey: .strategy)
        notes = try container.decode([String].self, forKey: .notes)
        summary = try container.decode(PlanSummary.self, forKey: .summary)
        when = try container.decodeIfPresent(PlanSchedule.self, forKey: .when)
        destructiveChanges = try container.decodeIfPresent([String].self, forKey: .destructiveChanges) ?? []
        unplanned = try container.decodeIfPresent([String].self, forKey: .unplanned) ?? []
        prepared = try container.decodeIfPresent([String].self, forKey: .prepared) ?? []
        asOfRegression = try container.decodeIfPresent(AsOfRegression.self, forKey: .asOfRegression)
        steps = try container.decode([PlanStep].self, forKey: .steps)
        routine = try container.decodeIfPresent([PlanStep].self, forKey: .routine) ?? []
    }

    /// What needs `allowDestructive`, as the start of a refusal (`template.column.renamed foodlogstats.weight_kg
    /// drop history or rename what queries name`); `nil` when nothing does. Each caller adds its fix.
    public var destructiveSentence: String? {
        destructiveReasons.isEmpty ? nil : destructiveReasons.joined(separator: ", ") + " drop history or rename what queries name"
    }

    /// Why applying this plan needs `allowDestructive` (its destructive changes and steps); empty when
    /// it does not.
    public var destructiveReasons: [String] {
        destructiveChanges + steps.filter { $0.stepClass == .destructive }.map {
            "step \($0.id) (\($0.kind.rawValue) \($0.targets.joined(separator: ", ")))"
        }
    }

    /// Every key is always present (`null` when empty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(revision, forKey: .revision)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(strategy, forKey: .strategy)
        try container.encode(notes, forKey: .notes)
        try container.encode(summary, forKey: .summary)
        try container.encode(when, forKey: .when)
        try container.encode(destructiveChanges, forKey: .destructiveChanges)
        try container.encode(unplanned, forKey: .unplanned)
        try container.encode(prepared, forKey: .prepared)
        try container.encode(asOfRegression, forKey: .asOfRegression)
        try container.encode(steps, forKey: .steps)
        try container.encode(routine, forKey: .routine)
    }

    /// Counts, disk, lock time and risk of a list of steps.
    static func summarize(_ steps: [PlanStep], regression: AsOfRegression? = nil) -> PlanSummary {
        var byPhase: [String: Int] = [:]
        var byClass: [String: Int] = [:]
        for step in steps {
            byPhase[step.phase.rawValue, default: 0] += 1
            byClass[step.stepClass.rawValue, default: 0] += 1
        }
        let shadows = steps.filter { $0.kind == .buildShadowDailyView || $0.kind == .buildShadowYearlyTable }
        let extraDisk: Double? = shadows.isEmpty ? 0
            : shadows.contains { $0.estimateBytes == nil } ? nil : shadows.reduce(0) { $0 + ($1.estimateBytes ?? 0) }
        let lock = steps.filter { $0.phase == .swap && $0.stepClass == .briefLock }.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }
        let total: Double? = steps.contains { $0.estimateSeconds == nil } ? nil : steps.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }

        var risk = RiskLevel.low
        var reasons: [String] = []
        if let regression {
            risk = .high
            reasons.append(regression.riskReason)
        }
        if steps.contains(where: { $0.stepClass == .destructive }) {
            risk = .high
            reasons.append("destructive steps remove data")
        }
        if steps.contains(where: { $0.stepClass == .blocking }) {
            risk = max(risk, .medium)
            reasons.append("blocking steps make readers wait for their whole length")
        }
        let swappedTenants = Set(steps.filter { $0.kind == .replaceTenantView || $0.kind == .buildShadowView }.compactMap(\.tenant))
        if swappedTenants.count > manyTenants {
            risk = max(risk, .medium)
            reasons.append("\(swappedTenants.count) tenants swapped")
        }
        if reasons.isEmpty {
            reasons.append(steps.isEmpty ? "nothing to do" : "online and brief-lock steps only")
        }
        return PlanSummary(
            steps: steps.count, stepsByPhase: byPhase, stepsByClass: byClass, extraDiskBytes: extraDisk,
            publicViewLockSeconds: lock, estimatedSeconds: total, risk: risk, riskReasons: reasons)
    }

    /// More tenants than this in one swap is seed 000's "multiple tenants" indicator.
    static let manyTenants = 10
}

extension Plan {
    /// The same plan with each step's ``PlanStep/estimateSeconds`` replaced by `estimate(step)` (kept
    /// when it returns `nil`), and the summary recomputed.
    public func reestimated(_ estimate: (PlanStep) -> Double?) -> Plan {
        var copy = self
        copy.steps = steps.map { step in
            var step = step
            if let seconds = estimate(step) { step.estimateSeconds = seconds }
            return step
        }
        copy.summary = Plan.summarize(copy.steps, regression: asOfRegression)
        return copy
    }
}
