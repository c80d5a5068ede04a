import WardenModel

/// One difference between the desired and the live warehouse: what, where, expected, found, and the remedy.
public struct DriftItem: Sendable, Hashable, Codable {
    /// The kinds of DESIGN.md §4 (and a few more), spelled as they appear in reports.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case columnAdded = "template.column.added"
        case columnRemoved = "template.column.removed"
        case columnRetyped = "template.column.retyped"
        case columnRenamed = "template.column.renamed"
        case columnMoved = "template.column.moved"
        case queryChanged = "template.query.changed"
        case indexAdded = "template.index.added"
        case indexRemoved = "template.index.removed"
        case registry = "template.registry"
        case dayMissing = "day.missing"
        /// A due day whose template's `readyWhen` probe is not true yet for the tenant: not drift to fix,
        /// built on the first pass after the probe turns true (DESIGN.md §6b).
        case dayWaiting = "day.waiting"
        case dayStale = "day.stale"
        case dayUnexpected = "day.unexpected"
        case yearRollover = "year.rollover"
        case yearMissing = "year.missing"
        case yearUnexpected = "year.unexpected"
        case yearlyColumns = "yearly.columns"
        case tenantMissing = "tenant.missing"
        case tenantUnexpected = "tenant.unexpected"
        case tenantView = "view.tenant"
        case publicView = "view.public"
        case grantMissing = "grant.missing"
        case grantUnexpected = "grant.unexpected"
        case owner = "owner"
        case connectionMissing = "connection.missing"
        case shadowLeftover = "shadow.leftover"

        /// The `template.column.*` kinds: a change of the template's columns.
        public static let columnChanges: Set<Kind> = [.columnAdded, .columnRemoved, .columnRetyped, .columnRenamed, .columnMoved]
    }

    public var kind: Kind
    /// The template concerned, if the item is about one.
    public var template: String?
    /// The tenant concerned, if the item is about one.
    public var tenant: String?
    /// The object: a qualified relation name, a range of daily views, a template, a role.
    public var object: String
    public var expected: String
    public var found: String
    /// What reconciling does about it.
    public var remedy: String
    /// When reconciling will fix it, or why not yet; `nil` until a plan and the windows say
    /// (``DriftFix``).
    public var fix: DriftFix?

    public init(
        kind: Kind, template: String? = nil, tenant: String? = nil, object: String, expected: String, found: String,
        remedy: String
    ) {
        self.kind = kind
        self.template = template
        self.tenant = tenant
        self.object = object
        self.expected = expected
        self.found = found
        self.remedy = remedy
    }
}

/// The drift of a warehouse at an as-of date: deterministic for the same inputs.
public struct DriftReport: Sendable, Hashable, Codable {
    /// The machine format's version; fields are added, never change meaning.
    public var version: Int
    /// The commit of the desired state, or `nil` for a plain folder.
    public var revision: String?
    public var asOf: Day
    public var items: [DriftItem]
    /// Shadows an earlier apply built that the pending plan swaps in as they are: progress, not drift, so
    /// they are counted here and not listed as `shadow.leftover` items (set by the planner's
    /// `settingAside(progressOf:)`).
    public var preparedShadows: Int

    public init(revision: String?, asOf: Day, items: [DriftItem], preparedShadows: Int = 0) {
        self.version = 1
        self.revision = revision
        self.asOf = asOf
        self.items = items
        self.preparedShadows = preparedShadows
    }

    /// Nothing to do: no item, or only days waiting for their source (`day.waiting`).
    public var inSync: Bool { items.allSatisfy { $0.kind == .dayWaiting } }
}
