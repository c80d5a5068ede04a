import WardenModel

/// One unit of work of a plan: its SQL, what it touches, how dangerous it is and what it costs.
///
/// A step is one transaction when ``transactional`` is true; otherwise each statement runs on its own,
/// outside a transaction block (required for `CREATE/DROP INDEX CONCURRENTLY`, and used in cleanup so
/// that every statement is its own small transaction). Steps run in ``id`` order within a phase.
public struct PlanStep: Sendable, Hashable, Codable {
    /// When a step runs (DESIGN.md §5): prepare may run ahead of a window, swap needs a window for its
    /// brief locks, cleanup tidies up after the swap.
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case prepare, swap, cleanup

        public static func < (lhs: Phase, rhs: Phase) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// What a step does, in the warehouse's own words.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Builds a daily view under its final name (nobody reads it yet).
        case buildDailyView
        /// Builds a daily view as `<name>__shadow`, beside the live one it will replace.
        case buildShadowDailyView
        /// `REFRESH MATERIALIZED VIEW CONCURRENTLY` of a daily view: its day re-read from the source
        /// (lookback, restatement). Readers keep reading the old rows until it commits.
        case refreshDailyView
        /// Checks that every value of a retyped column of yearly tables converts to its new type; stops
        /// the plan, naming the rows, before anything is built.
        case checkConversion
        /// Copies a yearly table into `<name>__shadow` with the template's columns and types.
        case buildShadowYearlyTable
        /// Builds a tenant or public view as `<name>__shadow` over the shadows, with its grants, owner
        /// and stamp, ready to be renamed in.
        case buildShadowView
        /// The swap transaction of a column change: renames only (live views and retyped yearly tables
        /// to `__retired`, shadows to the final names), so it locks O(tenants + yearly tables) relations.
        case renameSwap
        /// The `rebuild` strategy's one transaction (seed 000's Phase 2): drops the public view and the
        /// tenant views, alters the yearly tables in place, drops the current year's daily views. Readers
        /// of those views fail from its commit until the views are recreated.
        case dropForRebuild
        /// Drops shadow views left by an interrupted run, which later builds would trip over.
        case dropLeftover
        /// `ALTER TABLE … ADD COLUMN … DEFAULT` on yearly tables alone.
        case addYearlyColumn
        /// `CREATE OR REPLACE VIEW` of a tenant's union view (with the yearly `ADD COLUMN`s of a column
        /// change, in the same transaction).
        case replaceTenantView
        /// `CREATE OR REPLACE VIEW` of a public view.
        case replacePublicView
        /// `CREATE SCHEMA` of a new tenant, with its owner and `USAGE` grants.
        case createSchema
        /// Creates `_wh.mv_templates` in an empty warehouse.
        case createRegistry
        /// Builds a yearly table under `<name>__shadow`, a month per statement (from the year's daily
        /// views, or the source day by day), then renames, indexes and stamps it.
        case buildYearlyTable
        /// Creates a new tenant's union view (nobody reads it until the public view does).
        case createTenantView
        /// Drops the views, daily views, yearly tables and leftovers of a removed tenant's template.
        case dropTenantObjects
        /// Drops a removed tenant's schema, when nothing warden does not manage is left in it.
        case dropSchema
        /// `CREATE INDEX CONCURRENTLY`.
        case createIndex
        /// `DROP INDEX CONCURRENTLY`.
        case dropIndex
        /// Drops a daily view no view reads any more.
        case dropDailyView
        /// Drops a `__retired` object.
        case dropRetired
        /// Renames a shadow (and its indexes) to the final names.
        case renameShadow
        /// `ALTER TABLE … DROP COLUMN` on a yearly table: the column's history is lost.
        case dropYearlyColumn
        /// Upserts the template's `_wh.mv_templates` row.
        case updateRegistry
        /// `GRANT`.
        case grant
        /// `REVOKE`.
        case revoke
    }

    /// How dangerous a step is (DESIGN.md §5), from harmless to data-removing.
    public enum StepClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Creates or changes nothing readers use.
        case online
        /// Takes an ACCESS EXCLUSIVE lock on live objects for milliseconds.
        case briefLock = "brief-lock"
        /// Readers wait or fail for the length of the step.
        case blocking
        /// Removes data.
        case destructive

        public static func < (lhs: StepClass, rhs: StepClass) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Whether a step is the warehouse's routine or part of a change (DESIGN.md §6, §6b).
    public enum Work: String, Sendable, Hashable, Codable, CaseIterable {
        /// Due days, their tenant-view replacement, the year rollover, and putting back a dropped view:
        /// never held by allow windows; deny windows hold it only with `routine.inDenyWindows: hold`.
        case routine
        /// What a new revision asks for (columns, queries, indexes, tenants, grants, strategy): governed
        /// by the maintenance windows.
        case change
    }

    /// Position in the plan, from 1.
    public var id: Int
    public var phase: Phase
    public var kind: Kind
    public var stepClass: StepClass
    /// The template concerned, if any.
    public var template: String?
    /// The tenant schema concerned, if any.
    public var tenant: String?
    /// Qualified names of the objects the step creates, changes or drops.
    public var targets: [String]
    /// The SQL, one statement per element, without trailing semicolons.
    public var statements: [String]
    /// The SQL that undoes the step, in order; empty when it cannot be undone.
    public var undo: [String]
    /// Whether the statements run in one transaction (false for `… CONCURRENTLY`).
    public var transactional: Bool
    /// Whether the step locks objects readers use: the executor then sets a `lock_timeout` of tens of
    /// milliseconds and retries, so no reader queues long behind it.
    public var touchesLiveObjects: Bool
    /// Bytes the step writes, from live sizes; `nil` when unknown.
    public var estimateBytes: Double?
    /// Seconds the step takes, from live sizes; `nil` when unknown.
    public var estimateSeconds: Double?
    /// Whether ``undo`` restores the state before the step.
    public var reversible: Bool
    /// The stamp written as the comment of what the step builds, so a re-run after a crash recognizes
    /// finished work.
    public var stamp: ObjectStamp?
    /// The foreign server the step reads the tenant's database through (`dblink('<server>', …)`). The
    /// executor keeps one dblink connection to it open per session, as the seed's functions do, instead
    /// of dblink connecting once per daily view.
    public var sourceConnection: String?
    /// Routine or change: what decides which windows govern the step.
    public var work: Work = .change

    public init(
        id: Int = 0, phase: Phase, kind: Kind, stepClass: StepClass, template: String? = nil, tenant: String? = nil,
        targets: [String], statements: [String], undo: [String] = [], transactional: Bool = true,
        touchesLiveObjects: Bool = false, estimateBytes: Double? = nil, estimateSeconds: Double? = nil,
        reversible: Bool = false, stamp: ObjectStamp? = nil, sourceConnection: String? = nil, work: Work = .change
    ) {
        self.id = id
        self.phase = phase
        self.kind = kind
        self.stepClass = stepClass
        self.template = template
        self.tenant = tenant
        self.targets = targets
        self.statements = statements
        self.undo = undo
        self.transactional = transactional
        self.touchesLiveObjects = touchesLiveObjects
        self.estimateBytes = estimateBytes
        self.estimateSeconds = estimateSeconds
        self.reversible = reversible
        self.stamp = stamp
        self.sourceConnection = sourceConnection
        self.work = work
    }

    enum CodingKeys: String, CodingKey {
        case id, phase, kind, stepClass = "class", template, tenant, targets, statements, undo, transactional
        case touchesLiveObjects, estimateBytes, estimateSeconds, reversible, stamp, sourceConnection, work
    }

    /// Every key is always present (`null` when empty), so consumers need no defaults.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(phase, forKey: .phase)
        try container.encode(kind, forKey: .kind)
        try container.encode(stepClass, forKey: .stepClass)
        try container.encode(template, forKey: .template)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(targets, forKey: .targets)
        try container.encode(statements, forKey: .statements)
        try container.encode(undo, forKey: .undo)
        try container.encode(transactional, forKey: .transactional)
        try container.encode(touchesLiveObjects, forKey: .touchesLiveObjects)
        try container.encode(estimateBytes, forKey: .estimateBytes)
        try container.encode(estimateSeconds, forKey: .estimateSeconds)
        try container.encode(reversible, forKey: .reversible)
        try container.encode(stamp?.description, forKey: .stamp)
        try container.encode(sourceConnection, forKey: .sourceConnection)
        try container.encode(work, forKey: .work)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        phase = try container.decode(Phase.self, forKey: .phase)
        kind = try container.decode(Kind.self, forKey: .kind)
        stepClass = try container.decode(StepClass.self, forKey: .stepClass)
        template = try container.decodeIfPresent(String.self, forKey: .template)
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        targets = try container.decode([String].self, forKey: .targets)
        statements = try container.decode([String].self, forKey: .statements)
        undo = try container.decodeIfPresent([String].self, forKey: .undo) ?? []
        transactional = try container.decode(Bool.self, forKey: .transactional)
        touchesLiveObjects = try container.decode(Bool.self, forKey: .touchesLiveObjects)
        estimateBytes = try container.decodeIfPresent(Double.self, forKey: .estimateBytes)
        estimateSeconds = try container.decodeIfPresent(Double.self, forKey: .estimateSeconds)
        reversible = try container.decode(Bool.self, forKey: .reversible)
        stamp = try container.decodeIfPresent(String.self, forKey: .stamp).flatMap(ObjectStamp.init(comment:))
        sourceConnection = try container.decodeIfPresent(String.self, forKey: .sourceConnection)
        work = try container.decodeIfPresent(Work.self, forKey: .work) ?? .change
    }
}

extension PlanStep.Kind {
    /// Whether a step of this kind runs alone when the prepare phase runs over several connections: the
    /// steps before it finish first and the steps after it wait for it. A conversion check must pass
    /// before anything is built (so a failing one changes nothing), and leftover shadow views must be
    /// gone before the shadows they read are rebuilt.
    public var runsAlone: Bool { self == .checkConversion || self == .dropLeftover }
}
