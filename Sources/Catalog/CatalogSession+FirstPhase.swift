import PostgresClient
import WardenModel

extension CatalogSession {
    // MARK: - Phase 0

    static func readServer(_ connection: PostgresConnection) async throws -> ServerFacts {
        let result = try await connection.query(CatalogSQL.server)
        guard let row = result.first else { throw unexpected("the server settings query returned no row") }
        var facts = ServerFacts()
        facts.version = try row.decode(Int.self, "version")
        facts.blockSize = try row.decode(Int64.self, "block_size")
        facts.hasRegistry = try row.decode(Bool.self, "has_registry")
        facts.quoting = ServerQuoting(
            keywords: Set(try row.decode([String].self, "keywords")),
            quoteAllIdentifiers: try row.decode(Bool.self, "quote_all"),
            standardConformingStrings: try row.decode(Bool.self, "standard_strings"))
        // Exactly one dblink(text, text) (one extension per database), named as the deparser names it.
        if let text = try row.decode(String?.self, "dblink") {
            let items = text.split(separator: ";", omittingEmptySubsequences: false)
            let parts = items.count == 1 ? items[0].split(separator: ",", maxSplits: 2) : []
            if parts.count == 3, let oid = UInt32(parts[0]), let colon = parts[2].firstIndex(of: ":") {
                let schema = String(parts[2][parts[2].index(after: colon)...])
                facts.dblink = DailyViewRule.DblinkFunction(
                    oid: oid, renderedName: parts[1] == "1" ? "dblink" : facts.quoting.qualified(schema, "dblink"))
            }
        }
        return facts
    }

    static func readRoles(_ connection: PostgresConnection) async throws -> [UInt32: String] {
        var names: [UInt32: String] = [:]
        for row in try await connection.query(CatalogSQL.roles) { names[try oid(row, 0)] = row[1] ?? "" }
        return names
    }

    /// The schemas in scope, and their names by OID.
    func readSchemas() async throws -> ([String: LiveSchema], [UInt32: String]) {
        let filter: [String]? = options.schemas.map { Array($0) }
        var schemas: [String: LiveSchema] = [:]
        var names: [UInt32: String] = [:]
        for row in try await primary.query(CatalogSQL.schemas, [filter]) {
            let name = try row.decode(String.self, "name")
            let usage = try row.decode([String].self, "usage").compactMap(UInt32.init).map(roleName)
            names[try Self.oid(row, 0)] = name
            schemas[name] = LiveSchema(name: name, owner: roleName(try Self.oid(row, 2)), usage: Set(usage))
        }
        return (schemas, names)
    }

    // MARK: - Phase 1

    static func readRelations(
        _ connection: PostgresConnection, namespaces: String, names: [UInt32: String], exactSizes: Bool
    ) async throws -> [RawRelation] {
        let result = try await connection.query(CatalogSQL.relations(exactSizes: exactSizes), [namespaces])
        var relations: [RawRelation] = []
        relations.reserveCapacity(result.count)
        for row in result {
            let kind: LiveRelation.Kind
            switch row[3] {
            case "r": kind = .table
            case "v": kind = .view
            case "m": kind = .materializedView
            default: throw unexpected("relation kind '\(row[3] ?? "")' is not r, v or m")
            }
            guard let schema = names[try oid(row, 1)] else { continue }
            guard let size = row[6].flatMap({ Int64($0) }) else {
                throw unexpected("the size of relation \(row[2] ?? "?") is not a number")
            }
            var grants: [(grantee: UInt32, privilege: String)] = []
            if row[8] != nil {
                for item in try row.decode([String].self, at: 8) {
                    guard let colon = item.firstIndex(of: ":"), let grantee = UInt32(item[..<colon]) else {
                        throw unexpected("the privilege '\(item)' of relation \(row[2] ?? "?") does not parse")
                    }
                    grants.append((grantee, String(item[item.index(after: colon)...])))
                }
            }
            relations.append(RawRelation(
                oid: try oid(row, 0), schema: schema, name: row[2] ?? "", kind: kind, owner: try oid(row, 4),
                populated: row[5] == "t", size: size, comment: row[7], grants: grants))
        }
        return relations
    }

    /// The distinct column lists (index 0 is the empty list) and each relation's list.
    static func readColumns(
        _ connection: PostgresConnection, namespaces: String
    ) async throws -> (lists: [[RawColumn]], byRelation: [UInt32: Int]) {
        var lists: [[RawColumn]] = [[]]
        var known: [[RawColumn]: Int] = [[]: 0]
        var byRelation: [UInt32: Int] = [:]
        for row in try await connection.query(CatalogSQL.columns, [namespaces]) {
            guard let members = row[3] else { continue }
            let columns: [RawColumn]
            if row[0] == nil {
                columns = []  // a relation without columns
            } else {
                guard let unpacked = RawColumn.unpack(
                    names: try row.decode([String].self, at: 0), numbers: row[1] ?? "", modifiers: row[2] ?? "")
                else { throw unexpected("a column list does not parse: \(row[0] ?? "")") }
                columns = unpacked
            }
            // Two texts may hold the same list in another physical order.
            let list: Int
            if let existing = known[columns] {
                list = existing
            } else {
                list = lists.count
                lists.append(columns)
                known[columns] = list
            }
            let parsed = members.withBytes { buffer -> Bool in
                var cursor = ByteCursor(buffer)
                while !cursor.atEnd {
                    if cursor.position > 0 { guard cursor.skip(UInt8(ascii: ",")) else { return false } }
                    guard let oid = cursor.integer() else { return false }
                    byRelation[UInt32(truncatingIfNeeded: oid)] = list
                }
                return true
            }
            guard parsed else { throw unexpected("a relation list does not parse: \(members.prefix(80))") }
        }
        return (lists, byRelation)
    }

    /// The distinct index shapes and every index.
    static func readIndexes(
        _ connection: PostgresConnection, namespaces: String
    ) async throws -> (shapes: [IndexShape], indexes: [RawIndex]) {
        var shapes: [IndexShape] = []
        var indexes: [RawIndex] = []
        for row in try await connection.query(CatalogSQL.indexes, [namespaces]) {
            func vector(_ index: Int) throws -> [Int] {
                let parsed = (row[index] ?? "").withBytes { buffer -> [Int]? in
                    var cursor = ByteCursor(buffer)
                    var values: [Int] = []
                    while !cursor.atEnd {
                        if !values.isEmpty { guard cursor.skip(UInt8(ascii: " ")) else { return nil } }
                        guard let value = cursor.integer() else { return nil }
                        values.append(value)
                    }
                    return values
                }
                guard let parsed else { throw unexpected("the index vector '\(row[index] ?? "")' does not parse") }
                return parsed
            }
            guard let flags = row[1].flatMap({ Int($0) }), let keys = row[2].flatMap({ Int($0) }) else {
                throw unexpected("an index shape does not parse")
            }
            let shape = IndexShape(
                method: try oid(row, 0), unique: flags & 1 != 0, valid: flags & 2 != 0, hasExpressions: flags & 4 != 0,
                hasPredicate: flags & 8 != 0, nullsNotDistinct: flags & 16 != 0, hasStorageOptions: flags & 32 != 0,
                keyCount: keys, attributes: try vector(3), classes: try vector(4), options: try vector(5),
                collations: try vector(6))
            guard RawIndex.parseMembers(row[7] ?? "", shape: shapes.count, into: &indexes) else {
                throw unexpected("the indexes of a shape do not parse")
            }
            shapes.append(shape)
        }
        return (shapes, indexes)
    }

    static func readDependencies(
        _ connection: PostgresConnection, namespaces: String
    ) async throws -> [UInt32: [QualifiedName]] {
        var read: [UInt32: [QualifiedName]] = [:]
        for row in try await connection.query(CatalogSQL.dependencies, [namespaces]) {
            read[try oid(row, 0), default: []].append(QualifiedName(schema: row[2] ?? "", name: row[3] ?? ""))
        }
        return read
    }

    static func readIndexFacts(_ connection: PostgresConnection) async throws -> PlainIndexRenderer {
        var renderer = PlainIndexRenderer()
        for row in try await connection.query(CatalogSQL.indexFacts) {
            let first = try oid(row, 1)
            let second = try oid(row, 2)
            switch row[0] {
            case "c": renderer.defaultClasses[.init(method: first, type: second), default: []].append(try oid(row, 3))
            case "b": renderer.binaryCasts[first, default: []].append(second)
            case "p": renderer.preferred[first] = row[4]
            case "m": renderer.accessMethods[first] = row[4]
            case "t":
                renderer.categories[first] = row[4]
                if row[3] == "1" { renderer.domains.insert(first) }
            default: break
            }
        }
        return renderer
    }

    /// `_wh.mv_templates`, when it exists.
    static func readRegistry(_ connection: PostgresConnection, exists: Bool) async throws -> [String: RegistryRow] {
        guard exists else { return [:] }
        var rows: [String: RegistryRow] = [:]
        for row in try await connection.query(CatalogSQL.registry) {
            let name = try row.decode(String.self, "template_name")
            rows[name] = RegistryRow(
                templateName: name, description: try row.decode(String?.self, "description"),
                queryTemplate: try row.decode(String.self, "query_template"),
                columnDefinitions: try row.decode(String.self, "column_definitions"),
                indexes: try row.decode(String?.self, "indexes"))
        }
        return rows
    }

    /// Foreign servers and their options (`host`, `port`, `dbname`; never a user mapping).
    static func readForeignServers(_ connection: PostgresConnection) async throws -> [String: ForeignServer] {
        var servers: [String: ForeignServer] = [:]
        for row in try await connection.query(CatalogSQL.foreignServers) {
            let name = try row.decode(String.self, "name")
            var options: [String: String] = [:]
            for option in try row.decode([String]?.self, "options") ?? [] {
                guard let equals = option.firstIndex(of: "=") else { continue }
                options[String(option[..<equals])] = String(option[option.index(after: equals)...])
            }
            servers[name] = ForeignServer(name: name, wrapper: try row.decode(String.self, "wrapper"), options: options)
        }
        return servers
    }

    /// The names of the foreign-data wrappers that exist.
    static func readForeignDataWrappers(_ connection: PostgresConnection) async throws -> Set<String> {
        Set(try await connection.query(CatalogSQL.foreignDataWrappers).map { try $0.decode(String.self, "name") })
    }
}
