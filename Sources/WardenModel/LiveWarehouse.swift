import PostgresSyntax

/// The live warehouse as the catalog reads it: every relation of the tenant and public schemas, the
/// registry, the foreign servers. Produced by `Catalog`, consumed by `Drift` and `adopt`.
public struct LiveWarehouse: Sendable, Hashable, Codable {
    /// Tables, views and materialized views, keyed by schema-qualified name.
    public var relations: [QualifiedName: LiveRelation]
    /// Schemas that exist (besides `pg_*` and `information_schema`), with their owner and privileges.
    public var schemas: [String: LiveSchema]
    /// `_wh.mv_templates` rows by template name (empty when the table does not exist).
    public var registry: [String: RegistryRow]
    /// dblink foreign servers by name.
    public var foreignServers: [String: ForeignServer]
    /// The foreign-data wrappers that exist (`dblink_fdw` once `CREATE EXTENSION dblink` ran); `nil` when
    /// not read (a warehouse built in a test, or read by an older warden).
    public var foreignDataWrappers: Set<String>?
    /// Roles that exist in the cluster.
    public var roles: Set<String>
    /// What the server lets warden open (`nil` when not read: a warehouse built in a test).
    public var connectionLimits: ConnectionLimits?

    public init(
        relations: [QualifiedName: LiveRelation] = [:], schemas: [String: LiveSchema] = [:],
        registry: [String: RegistryRow] = [:], foreignServers: [String: ForeignServer] = [:], roles: Set<String> = []
    ) {
        self.relations = relations
        self.schemas = schemas
        self.registry = registry
        self.foreignServers = foreignServers
        self.roles = roles
    }

    /// The relation of that name.
    public subscript(schema: String, name: String) -> LiveRelation? {
        relations[QualifiedName(schema: schema, name: name)]
    }

    /// Two reads of an unchanged warehouse are equal: ``connectionLimits`` (sessions open now) is a fact
    /// about the server at that instant, not about the warehouse, and is left out.
    public static func == (left: LiveWarehouse, right: LiveWarehouse) -> Bool {
        left.relations == right.relations && left.schemas == right.schemas && left.registry == right.registry
            && left.foreignServers == right.foreignServers && left.foreignDataWrappers == right.foreignDataWrappers
            && left.roles == right.roles
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(relations)
        hasher.combine(schemas)
        hasher.combine(registry)
        hasher.combine(foreignServers)
        hasher.combine(foreignDataWrappers)
        hasher.combine(roles)
    }
}

/// `schema.name`.
public struct QualifiedName: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `schema.name`, quoted only where PostgreSQL needs it.
    public var description: String { SQL.qualified(schema, name) }

    public static func < (lhs: QualifiedName, rhs: QualifiedName) -> Bool {
        (lhs.schema, lhs.name) < (rhs.schema, rhs.name)
    }
}

/// A schema and who may use it.
public struct LiveSchema: Sendable, Hashable, Codable {
    public var name: String
    public var owner: String
    /// Roles with `USAGE`.
    public var usage: Set<String>

    public init(name: String, owner: String, usage: Set<String> = []) {
        self.name = name
        self.owner = owner
        self.usage = usage
    }
}

/// A table, view or materialized view.
public struct LiveRelation: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case table, view, materializedView = "materialized view"
    }

    public var name: QualifiedName
    public var kind: Kind
    /// In attribute order (dropped columns left out).
    public var columns: [LiveColumn]
    public var indexes: [LiveIndex]
    public var owner: String
    /// The relation's comment; warden's stamp lives here (``ObjectStamp``).
    public var comment: String?
    /// `SELECT` and other privileges, by grantee.
    public var privileges: [String: Set<String>]
    /// For views and materialized views: `pg_get_viewdef` (may be `nil` when the catalog skipped it
    /// because a warden stamp already vouches for the definition).
    public var definition: String?
    /// For views: the relations the view reads, from `pg_depend` (members of a union view).
    public var dependsOn: [QualifiedName]
    /// For materialized views: whether it holds data (`WITH NO DATA` → false).
    public var populated: Bool
    /// On-disk size including indexes, in bytes.
    public var sizeBytes: Int64

    public init(
        name: QualifiedName, kind: Kind, columns: [LiveColumn], indexes: [LiveIndex] = [], owner: String,
        comment: String? = nil, privileges: [String: Set<String>] = [:], definition: String? = nil,
        dependsOn: [QualifiedName] = [], populated: Bool = true, sizeBytes: Int64 = 0
    ) {
        self.name = name
        self.kind = kind
        self.columns = columns
        self.indexes = indexes
        self.owner = owner
        self.comment = comment
        self.privileges = privileges
        self.definition = definition
        self.dependsOn = dependsOn
        self.populated = populated
        self.sizeBytes = sizeBytes
    }

    /// warden's stamp in the comment, if any.
    public var stamp: ObjectStamp? { comment.flatMap(ObjectStamp.init(comment:)) }
}

/// A column as the catalog has it.
public struct LiveColumn: Sendable, Hashable, Codable {
    public var name: String
    /// Canonical spelling (`format_type`).
    public var type: ColumnType
    public var notNull: Bool
    /// The default expression (`pg_get_expr`), for yearly tables.
    public var defaultExpression: String?

    public init(name: String, type: ColumnType, notNull: Bool = false, defaultExpression: String? = nil) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultExpression = defaultExpression
    }
}

/// An index as the catalog has it.
public struct LiveIndex: Sendable, Hashable, Codable {
    public var name: String
    /// Key columns in order; an expression key is written as its expression text.
    public var columns: [String]
    public var unique: Bool
    /// `false` for a leftover of a failed `CREATE INDEX CONCURRENTLY`.
    public var valid: Bool
    /// `pg_get_indexdef`.
    public var definition: String

    public init(name: String, columns: [String], unique: Bool, valid: Bool = true, definition: String = "") {
        self.name = name
        self.columns = columns
        self.unique = unique
        self.valid = valid
        self.definition = definition
    }

    /// What drift compares: columns and uniqueness, not the name.
    public var spec: IndexSpec { IndexSpec(columns: columns, unique: unique) }
}

/// A row of the seed's registry, `_wh.mv_templates`.
public struct RegistryRow: Sendable, Hashable, Codable {
    public var templateName: String
    public var description: String?
    public var queryTemplate: String
    public var columnDefinitions: String
    public var indexes: String?

    public init(templateName: String, description: String?, queryTemplate: String, columnDefinitions: String, indexes: String?) {
        self.templateName = templateName
        self.description = description
        self.queryTemplate = queryTemplate
        self.columnDefinitions = columnDefinitions
        self.indexes = indexes
    }
}

/// A dblink foreign server (`CREATE SERVER … FOREIGN DATA WRAPPER dblink_fdw`).
public struct ForeignServer: Sendable, Hashable, Codable {
    public var name: String
    /// The foreign-data wrapper (`dblink_fdw`).
    public var wrapper: String
    /// Server options (host, port, dbname), never the user mapping's password.
    public var options: [String: String]

    public init(name: String, wrapper: String, options: [String: String]) {
        self.name = name
        self.wrapper = wrapper
        self.options = options
    }
}
