import WardenModel

extension CatalogReader {
    /// Which stored definitions the reader deparses.
    ///
    /// Deparsing is the expensive part of a catalog read (`pg_get_viewdef` costs about 70 µs per daily
    /// view and far more per union view), and warden's own objects do not need it: the stamp in their
    /// comment names the spec they were built from.
    public enum DefinitionPolicy: Sendable, Hashable {
        /// Every definition.
        case all
        /// Only objects without a warden stamp (`warden: spec=…`): a legacy object is compared by its
        /// definition, a stamped one by its stamp.
        case unstampedOnly
        /// No definitions at all.
        case none
    }

    /// What to read.
    public struct Options: Sendable, Hashable {
        /// The schemas to read; `nil` reads every schema except `pg_catalog`, `pg_toast`, `pg_temp_*`
        /// and `information_schema`.
        public var schemas: Set<String>?
        /// Which materialized views get their `definition` (the dblink call of a daily view).
        public var includeDefinitions: DefinitionPolicy
        /// Which plain views get their `definition`. Drift compares a view's members (`dependsOn`) and
        /// columns, never its text, so `warden drift` skips these.
        public var includeViewDefinitions: DefinitionPolicy
        /// Whether `sizeBytes` is measured on disk (`pg_total_relation_size`, a `stat` of every file:
        /// about 10 s at 66,000 views) instead of taken from the planner's page counts (`relpages` of the
        /// relation, its TOAST table and its indexes, as of the last `VACUUM`, `ANALYZE` or index build).
        public var exactSizes: Bool
        /// Whether every ``LiveIndex/definition`` is filled (`pg_get_indexdef`'s text; plain indexes are
        /// rendered without asking the server). When `false` it is left empty: drift compares an index
        /// by its columns and uniqueness, which are always read, and at 232,000 indexes the text costs
        /// 35 MB and a fifth of a second.
        public var includeIndexDefinitions: Bool

        public init(
            schemas: Set<String>? = nil, includeDefinitions: DefinitionPolicy = .all,
            includeViewDefinitions: DefinitionPolicy = .all, exactSizes: Bool = false, includeIndexDefinitions: Bool = true
        ) {
            self.schemas = schemas
            self.includeDefinitions = includeDefinitions
            self.includeViewDefinitions = includeViewDefinitions
            self.exactSizes = exactSizes
            self.includeIndexDefinitions = includeIndexDefinitions
        }

        /// What drift needs and no more: definitions of unstamped materialized views only, no view or
        /// index definitions, sizes from the planner's page counts.
        public static let drift = Options(
            includeDefinitions: .unstampedOnly, includeViewDefinitions: .none, includeIndexDefinitions: false)

        /// Whether an object with this comment gets its definition under `policy`.
        static func wants(_ policy: DefinitionPolicy, comment: String?) -> Bool {
            switch policy {
            case .all: return true
            case .none: return false
            case .unstampedOnly: return comment.flatMap(ObjectStamp.init(comment:)) == nil
            }
        }
    }
}
