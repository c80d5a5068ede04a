import Foundation
/// The desired state of the whole warehouse, as the schema repository declares it (DESIGN.md §2).
public struct DesiredWarehouse: Sendable, Hashable, Codable {
    /// `warehouse.yaml`.
    public var settings: WarehouseSettings
    /// `templates/*.yaml`, sorted by name.
    public var templates: [Template]
    /// The commit the state was read at, or `nil` for a plain folder (`--dir`).
    public var revision: String?

    public init(settings: WarehouseSettings, templates: [Template], revision: String? = nil) {
        self.settings = settings
        self.templates = templates.sorted { $0.name < $1.name }
        self.revision = revision
    }

    /// The template of that name.
    public func template(named name: String) -> Template? { templates.first { $0.name == name } }
}

/// `warehouse.yaml`: tenants, grants, windows and policy.
public struct WarehouseSettings: Sendable, Hashable, Codable {
    /// IANA zone whose calendar days are the daily views' days (`{TARGET_DATE}`).
    public var timeZone: String
    /// The oldest year kept as a yearly table; a new tenant is backfilled from here.
    public var firstYear: Int
    /// Schema of the public views (one per template).
    public var publicSchema: String
    /// First column of every public view: the tenant's schema name.
    public var tenantColumn: String
    /// Role that owns every managed object, or `nil` to leave ownership alone.
    public var owner: String?
    public var tenants: [Tenant]
    public var grants: [Grant]
    public var windows: [MaintenanceWindow]
    public var policy: Policy
    /// When days are due and whether routine work runs in deny windows (DESIGN.md §6b).
    public var routine: Routine

    public init(
        timeZone: String = "UTC", firstYear: Int, publicSchema: String = "public", tenantColumn: String = "tenant",
        owner: String? = nil, tenants: [Tenant], grants: [Grant] = [], windows: [MaintenanceWindow] = [],
        policy: Policy = Policy(), routine: Routine = Routine()
    ) {
        self.timeZone = timeZone
        self.firstYear = firstYear
        self.publicSchema = publicSchema
        self.tenantColumn = tenantColumn
        self.owner = owner
        self.tenants = tenants
        self.grants = grants
        self.windows = windows
        self.policy = policy
        self.routine = routine
    }

    /// The as-of day at `instant`: today in the warehouse time zone once `routine.buildAfter` has passed,
    /// else yesterday (DESIGN.md §6b).
    public func asOf(at instant: Date) -> Day { routine.asOf(at: instant, timeZone: timeZone) }
}

/// A tenant: its schema in the warehouse and the dblink foreign server that reaches its database.
public struct Tenant: Sendable, Hashable, Codable {
    public var schema: String
    /// The foreign server's name (`landb-prod`); credentials live in its user mapping, never in git.
    public var connection: String

    public init(schema: String, connection: String) {
        self.schema = schema
        self.connection = connection
    }
}

/// A `SELECT` grant kept on views across every rebuild.
public struct Grant: Sendable, Hashable, Codable {
    /// What the grant covers.
    public enum Scope: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Every public view (`on: public`).
        case publicViews
        /// One tenant's union views (`on: tenant/<schema>`).
        case tenantViews(String)

        /// The YAML spelling: `public` or `tenant/<schema>`.
        public var description: String {
            switch self {
            case .publicViews: "public"
            case .tenantViews(let schema): "tenant/\(schema)"
            }
        }

        /// Parses the YAML spelling.
        public init?(_ text: String) {
            if text == "public" {
                self = .publicViews
            } else if text.hasPrefix("tenant/"), text.count > 7 {
                self = .tenantViews(String(text.dropFirst(7)))
            } else {
                return nil
            }
        }
    }

    public var role: String
    public var scope: Scope

    public init(role: String, scope: Scope) {
        self.role = role
        self.scope = scope
    }
}

/// A maintenance window (DESIGN.md §6), in Argo CD's sync-window algebra.
public struct MaintenanceWindow: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case allow, deny }

    public var name: String
    public var kind: Kind
    /// 5-field cron: when the window opens.
    public var schedule: String
    /// How long it stays open, in seconds.
    public var durationSeconds: Int
    /// IANA zone the schedule is read in.
    public var timeZone: String
    /// Whether `warden apply --now` may act while this window is active (deny) or closed (allow).
    public var manualSync: Bool

    public init(name: String, kind: Kind, schedule: String, durationSeconds: Int, timeZone: String = "UTC", manualSync: Bool = false) {
        self.name = name
        self.kind = kind
        self.schedule = schedule
        self.durationSeconds = durationSeconds
        self.timeZone = timeZone
        self.manualSync = manualSync
    }
}

/// How changes are carried out.
public struct Policy: Sendable, Hashable, Codable {
    public enum Strategy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Build shadows, swap in one short transaction (default).
        case shadowSwap = "shadow-swap"
        /// Seed 000's drop-and-rebuild, as written.
        case rebuild
    }

    public var strategy: Strategy
    /// Build shadow objects before the window opens.
    public var prepareAhead: Bool
    /// Dropping a column, a tenant or history needs this.
    public var allowDestructive: Bool
    /// Connections used for builds.
    public var parallelism: Int
    /// `lock_timeout` for statements on live objects, in milliseconds.
    public var lockTimeoutMilliseconds: Int

    public init(
        strategy: Strategy = .shadowSwap, prepareAhead: Bool = true, allowDestructive: Bool = false, parallelism: Int = 2,
        lockTimeoutMilliseconds: Int = 2000
    ) {
        self.strategy = strategy
        self.prepareAhead = prepareAhead
        self.allowDestructive = allowDestructive
        self.parallelism = parallelism
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
    }
}
