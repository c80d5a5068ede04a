import PostgresSyntax

/// A template: one kind of daily materialized view, its columns, query and indexes (`templates/<name>.yaml`).
public struct Template: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    /// SQL run on the tenant's database; its only placeholder is `{TARGET_DATE}` (`YYYY-MM-DD`).
    public var query: String
    /// In view column order.
    public var columns: [Column]
    public var indexes: [IndexSpec]
    /// A probe run on the tenant's database before a due day is built (`readyWhen`, DESIGN.md §6b): one
    /// boolean, with `{TARGET_DATE}`; the day is built only once it answers true. `nil`: always ready.
    public var readyWhen: String?

    public init(
        name: String, description: String = "", query: String, columns: [Column], indexes: [IndexSpec] = [], readyWhen: String? = nil
    ) {
        self.name = name
        self.description = description
        self.query = query
        self.columns = columns
        self.indexes = indexes
        self.readyWhen = readyWhen
    }

    /// The `readyWhen` probe for one day, or `nil` when the template has none.
    public func renderedProbe(for day: Day) -> String? {
        readyWhen.map { $0.split(separator: Template.datePlaceholder, omittingEmptySubsequences: false).joined(separator: day.description) }
    }

    /// The placeholder the query must contain.
    public static let datePlaceholder = "{TARGET_DATE}"

    /// The query for one day: `{TARGET_DATE}` replaced by `YYYY-MM-DD`.
    public func renderedQuery(for day: Day) -> String {
        // Split once at the placeholder and join with the date: cheaper than a generic search-and-replace,
        // which matters when drift renders a query for each of 66,000 daily views.
        let parts = query.split(separator: Template.datePlaceholder, omittingEmptySubsequences: false)
        return parts.joined(separator: day.description)
    }

    /// The `AS t(...)` column list of a daily view, and `_wh.mv_templates.column_definitions`:
    /// `id bigint, store text, …`.
    public var columnDefinitions: String {
        columns.map { "\(SQL.identifier($0.name)) \($0.type.name)" }.joined(separator: ", ")
    }

    /// The column of that name.
    public func column(named name: String) -> Column? { columns.first { $0.name == name } }
}

/// A column of a template.
public struct Column: Sendable, Hashable, Codable {
    public var name: String
    public var type: ColumnType
    /// Value for history rows older than the column (a literal of `type`), or `nil` for NULL.
    public var defaultValue: String?
    /// `NOT NULL` on yearly tables; needs a default (seed 002).
    public var notNull: Bool
    /// The column's previous name: a rename, not a drop and an add.
    public var renamedFrom: String?

    public init(name: String, type: ColumnType, defaultValue: String? = nil, notNull: Bool = false, renamedFrom: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.notNull = notNull
        self.renamedFrom = renamedFrom
    }
}

/// An index of a template, compared by definition (columns and uniqueness), never by name.
public struct IndexSpec: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var columns: [String]
    public var unique: Bool

    public init(columns: [String], unique: Bool = false) {
        self.columns = columns
        self.unique = unique
    }

    /// `UNIQUE (id)` or `(logged_time)`.
    public var description: String {
        (unique ? "UNIQUE " : "") + "(" + columns.joined(separator: ", ") + ")"
    }

    public static func < (lhs: IndexSpec, rhs: IndexSpec) -> Bool {
        (lhs.columns.joined(separator: ","), lhs.unique ? 1 : 0) < (rhs.columns.joined(separator: ","), rhs.unique ? 1 : 0)
    }
}

extension Template {
    /// The hash warden stamps on a daily view it builds: what the view reads (connection and rendered
    /// query) and its columns, that is, its rows. Equal hashes mean the view needs no rebuild.
    ///
    /// Indexes are left out on purpose: they are drift of their own (`template.index.added`/`removed`),
    /// reconciled with `CREATE`/`DROP INDEX CONCURRENTLY` on the live view. With them in the hash, an
    /// index change made every daily view look built from another query and was planned as a rebuild
    /// of all of them from the tenants' databases.
    public func dailyViewSpecHash(day: Day, connection: String) -> String {
        SpecHash.of(dailyViewHashParts(day: day, connection: connection))
    }

    private func dailyViewHashParts(day: Day, connection: String) -> [String] {
        ["daily-view", connection, QueryText.normalized(renderedQuery(for: day)), columnDefinitions]
    }

    /// Whether a daily view's stamp says it holds the rows the template builds for `day` through
    /// `connection`; `false` without a stamp. A stamp written before indexes left the hash (it hashed
    /// the indexes the view was built with) matches when hashed with the view's own valid indexes, so
    /// an upgrade does not read every daily view as built from another query.
    public func dailyViewStampMatches(_ relation: LiveRelation, day: Day, connection: String) -> Bool {
        guard let stamp = relation.stamp else { return false }
        if stamp.specHash == dailyViewSpecHash(day: day, connection: connection) { return true }
        let built = relation.indexes.filter(\.valid).map(\.spec).sorted().map(\.description)
        return stamp.specHash == SpecHash.of(dailyViewHashParts(day: day, connection: connection) + built)
    }

    /// Whether `specs` (the valid indexes of a live relation) are exactly the template's indexes.
    public func hasExactly(indexes specs: some Sequence<IndexSpec>) -> Bool {
        Set(specs) == Set(indexes)
    }
}
