import Foundation
import Logging
import PostgresClient
import WardenModel

/// One catalog read in progress: the bulk queries run as jobs on the session's connections (all in one
/// snapshot), their rows parsed into raw parts, cross-referenced by OID and assembled into a
/// ``LiveWarehouse``.
///
/// Phases: (0) server facts, roles and schemas on the first connection; (1) relations, columns,
/// indexes, dependencies, privileges, registry and foreign servers, all independent; (2) what needs
/// the first phase: type names, defaults, the indexes and definitions the server must deparse, and the
/// daily views' rewrite rules; (3) `pg_get_viewdef` for the rules that were not daily views after all.
struct CatalogSession {
    let connections: [PostgresConnection]
    let options: CatalogReader.Options
    var facts = ServerFacts()
    var roleNames: [UInt32: String] = [:]
    var schemaNames: [UInt32: String] = [:]
    var relations: [RawRelation] = []
    var relationIndex: [UInt32: Int] = [:]
    /// The distinct column lists (the first is empty: a relation without columns).
    var columnLists: [[RawColumn]] = [[]]
    /// The distinct index shapes.
    var indexShapes: [IndexShape] = []
    /// Raw indexes until ``renderIndexes(facts:)`` turns them into ``LiveIndex``es.
    var rawIndexes: [RawIndex] = []

    /// A relation as the bulk query returns it, with what later queries add.
    struct RawRelation: Sendable {
        var oid: UInt32
        var schema: String
        var name: String
        var kind: LiveRelation.Kind
        var owner: UInt32
        var populated: Bool
        /// Pages of the relation and its TOAST table, or bytes when sizes are exact.
        var size: Int64
        var comment: String?
        /// Explicit privileges as read: grantee OID and privilege.
        var grants: [(grantee: UInt32, privilege: String)]
        /// The relation's column list: an index into ``CatalogSession/columnLists``.
        var columnList = 0
        var liveColumns: [LiveColumn] = []
        var indexes: [LiveIndex] = []
        var indexPages: Int64 = 0
        var privileges: [String: Set<String>] = [:]
        var dependsOn: [QualifiedName] = []
        var definition: String?
    }

    init(connections: [PostgresConnection], options: CatalogReader.Options) {
        self.connections = connections
        self.options = options
    }

    var primary: PostgresConnection { connections[0] }

    /// Runs every phase and assembles the result.
    mutating func read() async throws -> LiveWarehouse {
        let clock = ContinuousClock()
        var last = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            let (seconds, attoseconds) = (now - last).components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            var metadata: Logger.Metadata = ["stage": "\(stage)", "ms": "\(milliseconds)"]
            if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
               let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                metadata["rss_mb"] = "\(pages * 4096 / 1_048_576)"
            }
            primary.logger.debug("catalog read stage", metadata: metadata)
            last = now
        }
        facts = try await Self.readServer(primary)
        let limits = try await CatalogReader.connectionLimits(primary)
        roleNames = try await Self.readRoles(primary)
        let (schemas, namespaces) = try await readSchemas()
        schemaNames = namespaces
        lap("server, roles, schemas")

        // Phase 1: everything that needs only the schemas, independent of each other.
        let parts = FirstPhase()
        let namespaceOIDs = Self.oidArray(Array(namespaces.keys))
        let exactSizes = options.exactSizes
        let hasRegistry = facts.hasRegistry
        try await ConnectionPool.run([
            { connection in
                let columns = try await Self.readColumns(connection, namespaces: namespaceOIDs)
                let typeNames = try await Self.readTypeNames(connection, lists: columns.lists)
                parts.columns.set(ColumnFacts(lists: columns.lists, byRelation: columns.byRelation, typeNames: typeNames))
            },
            { parts.indexes.set(try await Self.readIndexes($0, namespaces: namespaceOIDs)) },
            {
                parts.relations.set(try await Self.readRelations(
                    $0, namespaces: namespaceOIDs, names: namespaces, exactSizes: exactSizes))
            },
            { parts.dependencies.set(try await Self.readDependencies($0, namespaces: namespaceOIDs)) },
            { parts.indexFacts.set(try await Self.readIndexFacts($0)) },
            { parts.registry.set(try await Self.readRegistry($0, exists: hasRegistry)) },
            {
                parts.foreignServers.set(try await Self.readForeignServers($0))
                parts.foreignDataWrappers.set(try await Self.readForeignDataWrappers($0))
            },
        ], on: connections)
        lap("phase 1: relations, columns, indexes, dependencies")

        try mergeFirstPhase(parts)
        let columnFacts = parts.columns.value
        parts.columns.set(ColumnFacts())
        try await buildColumns(typeNames: columnFacts.typeNames)
        let pendingIndexes = try renderIndexes(facts: parts.indexFacts.value)
        lap("columns, plain indexes")

        // Phase 2: daily views from their rules; what the server must deparse.
        let second = SecondPhase()
        try await ConnectionPool.run(
            ruleJobs(columns: columnFacts, into: second) + indexDefinitionJobs(pendingIndexes, into: second)
                + Self.viewDefinitionJobs(definitionsToDeparse(), into: second),
            on: connections)
        applyIndexDefinitions(pendingIndexes, second.indexDefinitions.value)
        applyDefinitions(second.definitions.value)
        second.definitions.set([:])
        lap("phase 2: definitions")

        // Phase 3: rules that were not daily views after all.
        let leftovers = second.notDailyViews.value
        primary.logger.debug(
            "catalog definitions",
            metadata: ["from_rules": "\(second.fromRules.value)", "deparsed": "\(second.deparsed.value + leftovers.count)"])
        if !leftovers.isEmpty {
            let third = SecondPhase()
            try await ConnectionPool.run(Self.viewDefinitionJobs(leftovers, into: third), on: connections)
            applyDefinitions(third.definitions.value)
        }
        lap("phase 3: deparsed definitions")

        var warehouse = LiveWarehouse(
            schemas: schemas, registry: parts.registry.value, foreignServers: parts.foreignServers.value,
            roles: Set(roleNames.values))
        warehouse.connectionLimits = limits
        warehouse.foreignDataWrappers = parts.foreignDataWrappers.value
        var byName: [QualifiedName: LiveRelation] = [:]
        byName.reserveCapacity(relations.count)
        for relation in relations {
            let name = QualifiedName(schema: relation.schema, name: relation.name)
            let size = options.exactSizes ? relation.size : (relation.size + relation.indexPages) * facts.blockSize
            byName[name] = LiveRelation(
                name: name, kind: relation.kind, columns: relation.liveColumns, indexes: relation.indexes,
                owner: roleName(relation.owner), comment: relation.comment, privileges: relation.privileges,
                definition: relation.definition, dependsOn: relation.dependsOn, populated: relation.populated,
                sizeBytes: size)
        }
        relations = []
        warehouse.relations = byName
        lap("assembly")
        return warehouse
    }

    /// Results of the first phase.
    final class FirstPhase: Sendable {
        let relations = Slot<[RawRelation]>([])
        let columns = Slot(ColumnFacts())
        let indexes = Slot<(shapes: [IndexShape], indexes: [RawIndex])>(([], []))
        let dependencies = Slot<[UInt32: [QualifiedName]]>([:])
        let indexFacts = Slot(PlainIndexRenderer())
        let registry = Slot<[String: RegistryRow]>([:])
        let foreignServers = Slot<[String: ForeignServer]>([:])
        let foreignDataWrappers = Slot<Set<String>>([])
    }

    /// The column lists, which relation has which, and the canonical names of their types.
    struct ColumnFacts: Sendable {
        var lists: [[RawColumn]] = [[]]
        var byRelation: [UInt32: Int] = [:]
        var typeNames: [RawColumn.TypeKey: ColumnType] = [:]
    }

    /// Results of the second and third phases.
    final class SecondPhase: Sendable {
        /// Definitions: of daily views, read from their rules, and deparsed by the server.
        let definitions = Slot<[UInt32: String]>([:])
        let indexDefinitions = Slot<[UInt32: (definition: String, keys: [String]?)]>([:])
        /// Materialized views whose rule was not a daily view: for `pg_get_viewdef`.
        let notDailyViews = Slot<[UInt32]>([])
        /// How many definitions were read from rules, and how many deparsed.
        let fromRules = Slot(0)
        let deparsed = Slot(0)
    }

    mutating func mergeFirstPhase(_ parts: FirstPhase) throws {
        relations = parts.relations.value
        parts.relations.set([])
        relationIndex.reserveCapacity(relations.count)
        for (index, relation) in relations.enumerated() { relationIndex[relation.oid] = index }
        let columns = parts.columns.value
        columnLists = columns.lists
        for (oid, list) in columns.byRelation {
            guard let index = relationIndex[oid] else { continue }
            relations[index].columnList = list
        }
        for (oid, read) in parts.dependencies.value {
            guard let index = relationIndex[oid] else { continue }
            relations[index].dependsOn = read.sorted()
        }
        for index in relations.indices where !relations[index].grants.isEmpty {
            var privileges: [String: Set<String>] = [:]
            for grant in relations[index].grants { privileges[roleName(grant.grantee), default: []].insert(grant.privilege) }
            relations[index].privileges = privileges
            relations[index].grants = []
        }
        (indexShapes, rawIndexes) = parts.indexes.value
        parts.indexes.set(([], []))
    }

    func roleName(_ oid: UInt32) -> String {
        oid == 0 ? "PUBLIC" : roleNames[oid] ?? "\(oid)"
    }

    // MARK: - Helpers

    /// `{1,2,3}`: an `oid[]` parameter.
    static func oidArray<S: Sequence>(_ oids: S) -> String where S.Element == UInt32 {
        var text = "{"
        var first = true
        for oid in oids {
            if !first { text += "," }
            first = false
            text += String(oid)
        }
        return text + "}"
    }

    static func oid(_ row: PostgresRow, _ index: Int) throws -> UInt32 {
        guard let text = row[index], let value = UInt32(text) else {
            throw unexpected("column \(index) of a catalog row is not an OID: '\(row[index] ?? "NULL")'")
        }
        return value
    }

    static func unexpected(_ what: String) -> CatalogError {
        CatalogError(code: .unexpectedCatalogValue, message: "cannot read the catalog: \(what)")
    }

    /// `items` in slices of at most `size`.
    static func batches<T>(_ items: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }
}
