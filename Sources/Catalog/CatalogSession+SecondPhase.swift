import PostgresClient
import WardenModel

extension CatalogSession {
    /// An index the reader could not render itself.
    struct PendingIndex: Sendable {
        var relation: Int
        var position: Int
        var index: RawIndex
        var shape: IndexShape
    }

    // MARK: - Columns

    /// `format_type` of every distinct (type, typmod) of `lists`, in one small query.
    static func readTypeNames(
        _ connection: PostgresConnection, lists: [[RawColumn]]
    ) async throws -> [RawColumn.TypeKey: ColumnType] {
        var keys: Set<RawColumn.TypeKey> = []
        for list in lists { for column in list { keys.insert(column.typeKey) } }
        guard !keys.isEmpty else { return [:] }
        let ordered = Array(keys)
        let typmods = "{" + ordered.map { String($0.typmod) }.joined(separator: ",") + "}"
        var names: [RawColumn.TypeKey: ColumnType] = [:]
        for row in try await connection.query(CatalogSQL.typeNames, [oidArray(ordered.map(\.type)), typmods]) {
            guard let typmod = row[1].flatMap({ Int32($0) }), let name = row[2] else { continue }
            names[RawColumn.TypeKey(type: try oid(row, 0), typmod: typmod)] = ColumnType(canonical: name)
        }
        return names
    }

    /// Turns raw columns into ``LiveColumn``s: one shared array per distinct list, except for relations
    /// with defaults, whose expressions are read (`pg_get_expr`) for them alone.
    mutating func buildColumns(typeNames: [RawColumn.TypeKey: ColumnType]) async throws {
        func type(_ column: RawColumn) -> ColumnType { typeNames[column.typeKey] ?? ColumnType(canonical: "?") }
        let shared: [[LiveColumn]] = columnLists.map { list in
            list.map { LiveColumn(name: $0.name, type: type($0), notNull: $0.notNull) }
        }
        var withDefaults: [Int] = []
        for index in relations.indices {
            let list = relations[index].columnList
            relations[index].liveColumns = shared[list]
            if columnLists[list].contains(where: \.hasDefault) { withDefaults.append(index) }
        }
        guard !withDefaults.isEmpty else { return }
        var defaults: [UInt32: [Int: String]] = [:]
        let oids = Self.oidArray(withDefaults.map { relations[$0].oid })
        for row in try await primary.query(CatalogSQL.defaults, [oids]) {
            guard let number = row[1].flatMap({ Int($0) }) else { continue }
            defaults[try Self.oid(row, 0), default: [:]][number] = row[2]
        }
        for index in withDefaults {
            let expressions = defaults[relations[index].oid] ?? [:]
            relations[index].liveColumns = columnLists[relations[index].columnList].map {
                LiveColumn(name: $0.name, type: type($0), notNull: $0.notNull, defaultExpression: expressions[$0.number])
            }
        }
    }

    // MARK: - Indexes

    /// Builds every relation's ``LiveIndex``es, rendering plain definitions; returns the indexes the
    /// server must deparse.
    ///
    /// The key column names and the definition's tail (` USING btree (id)`) depend only on the index's
    /// shape and the table's column list, so they are worked out once per such pair and shared.
    mutating func renderIndexes(facts renderer: PlainIndexRenderer) throws -> [PendingIndex] {
        struct Pair: Hashable {
            var shape: Int
            var columnList: Int
        }
        var pairs: [Pair: (names: [String], tail: String?)] = [:]
        var pending: [PendingIndex] = []
        let quoting = facts.quoting
        let definitions = options.includeIndexDefinitions
        // Grouped by table (indexes within a table are put in name order below).
        rawIndexes.sort { $0.table < $1.table }
        let indexes = rawIndexes
        rawIndexes = []
        var start = 0
        while start < indexes.count {
            let table = indexes[start].table
            var end = start
            while end < indexes.count && indexes[end].table == table { end += 1 }
            defer { start = end }
            guard let position = relationIndex[table] else { continue }
            let columnList = relations[position].columnList
            let qualified = definitions ? quoting.qualified(relations[position].schema, relations[position].name) : ""

            var live: [LiveIndex] = []
            live.reserveCapacity(end - start)
            let firstPending = pending.count
            var pages: Int64 = 0
            for raw in indexes[start..<end] {
                pages += raw.pages
                let shape = indexShapes[raw.shape]
                let pair = Pair(shape: raw.shape, columnList: columnList)
                let worked: (names: [String], tail: String?)
                if let known = pairs[pair] {
                    worked = known
                } else {
                    var names: [String] = []
                    var keys: [PlainIndexRenderer.KeyColumn] = []
                    for attribute in shape.attributes.prefix(shape.keyCount) {
                        if let column = columnLists[columnList].first(where: { $0.number == attribute }) {
                            names.append(column.name)
                            keys.append(.init(name: column.name, typeOID: column.typeOID, collation: column.collation))
                        } else {
                            names.append("")  // an expression: its text comes from the server
                        }
                    }
                    let tail = keys.count == shape.keyCount
                        ? renderer.renderTail(shape: shape, keys: keys, quoting: quoting) : nil
                    worked = (names, tail)
                    pairs[pair] = worked
                }
                var definition = ""
                if let tail = worked.tail {
                    if definitions {
                        definition = PlainIndexRenderer.definition(
                            unique: shape.unique, name: raw.name, table: qualified, tail: tail, quoting: quoting)
                    }
                } else if definitions || shape.hasExpressions {
                    // Without definitions, the server is still asked for expression keys' text.
                    pending.append(PendingIndex(relation: position, position: live.count, index: raw, shape: shape))
                }
                live.append(LiveIndex(
                    name: raw.name, columns: worked.names, unique: shape.unique, valid: shape.valid,
                    definition: definition))
            }
            if live.count > 1 && zip(live, live.dropFirst()).contains(where: { $0.name > $1.name }) {
                // Keep pending positions right: sort pending entries of this relation along.
                let order = live.indices.sorted { live[$0].name < live[$1].name }
                var newPosition = [Int](repeating: 0, count: live.count)
                for (new, old) in order.enumerated() { newPosition[old] = new }
                live = order.map { live[$0] }
                for index in firstPending..<pending.count {
                    pending[index].position = newPosition[pending[index].position]
                }
            }
            relations[position].indexes = live
            relations[position].indexPages = pages
        }
        return pending
    }

    /// Jobs deparsing the pending indexes, 5,000 a query.
    func indexDefinitionJobs(_ pending: [PendingIndex], into results: SecondPhase) -> [ConnectionPool.Job] {
        Self.batches(pending.map(\.index.oid), size: 5000).map { batch in
            let oids = Self.oidArray(batch)
            return { connection in
                var found: [UInt32: (definition: String, keys: [String]?)] = [:]
                for row in try await connection.query(CatalogSQL.indexDefinitions, [oids]) {
                    found[try Self.oid(row, 0)] = (row[1] ?? "", try row.decode([String]?.self, "keys"))
                }
                results.indexDefinitions.update { $0.merge(found) { first, _ in first } }
            }
        }
    }

    mutating func applyIndexDefinitions(
        _ pending: [PendingIndex], _ found: [UInt32: (definition: String, keys: [String]?)]
    ) {
        for item in pending {
            guard let deparsed = found[item.index.oid] else { continue }
            if options.includeIndexDefinitions {
                relations[item.relation].indexes[item.position].definition = deparsed.definition
            }
            guard let keys = deparsed.keys, keys.count == item.shape.keyCount else { continue }
            var columns = relations[item.relation].indexes[item.position].columns
            let keyAttributes = item.shape.attributes.prefix(item.shape.keyCount)
            for (position, attribute) in keyAttributes.enumerated() where attribute == 0 {
                columns[position] = keys[position]
            }
            relations[item.relation].indexes[item.position].columns = columns
        }
    }

    // MARK: - Definitions

    /// Jobs reading the rules of the materialized views whose definition the options ask for, 1,000
    /// a query, when the server is one ``DailyViewRule`` understands: each checks the rules against
    /// the views' columns and renders the daily views among them; the others are left for phase 3.
    func ruleJobs(columns: ColumnFacts, into results: SecondPhase) -> [ConnectionPool.Job] {
        guard DailyViewRule.supports(serverVersion: facts.version), let dblink = facts.dblink else { return [] }
        let quoting = facts.quoting
        struct Expected: Sendable {
            var columns: [DailyViewRule.Column]
            var entry: [UInt8]
            var frame: DailyViewRule.Frame
        }
        var expected: [Int: Expected] = [:]
        var wanted: [(oid: UInt32, list: Int)] = []
        for relation in relations
        where relation.kind == .materializedView
            && CatalogReader.Options.wants(options.includeDefinitions, comment: relation.comment)
        {
            let list = relation.columnList
            if expected[list] == nil {
                let made = columns.lists[list].map {
                    DailyViewRule.Column(
                        name: $0.name, typeOID: $0.typeOID, typmod: $0.typmod,
                        typeName: columns.typeNames[$0.typeKey]?.name ?? "?")
                }
                expected[list] = Expected(
                    columns: made, entry: DailyViewRule.functionEntry(columns: made, dblink: dblink),
                    frame: DailyViewRule.Frame(columns: made, dblink: dblink, quoting: quoting))
            }
            wanted.append((relation.oid, list))
        }
        let shapes = expected
        return Self.batches(wanted, size: 1000).map { batch in
            let parameter = Self.oidArray(batch.map(\.oid))
            let lists = Dictionary(uniqueKeysWithValues: batch.map { ($0.oid, $0.list) })
            return { connection in
                var rendered: [UInt32: String] = [:]
                var rest: [UInt32] = []
                let rows = try await connection.query(
                    DailyViewRule.query, [parameter] + DailyViewRule.patterns.map { $0 as any PostgresBindable })
                for row in rows {
                    let oid = try Self.oid(row, 0)
                    guard let list = lists[oid], let shape = shapes[list] else { continue }
                    guard row[1] == "t", let headEnd = row[2], let connectionBytes = row[3], let remainder = row[4],
                          let call = DailyViewRule.decode(
                            headEnd: headEnd, connectionBytes: connectionBytes, rest: remainder, columns: shape.columns,
                            entry: shape.entry)
                    else {
                        rest.append(oid)
                        continue
                    }
                    rendered[oid] = shape.frame.render(connection: call.connection, query: call.query, quoting: quoting)
                }
                // A view without a `_RETURN` row cannot be, but would be deparsed too.
                if rendered.count + rest.count < batch.count {
                    let answered = Set(rendered.keys).union(rest)
                    rest += batch.map(\.oid).filter { !answered.contains($0) }
                }
                results.definitions.update { $0.merge(rendered) { first, _ in first } }
                results.notDailyViews.update { $0 += rest }
                results.fromRules.update { $0 += rendered.count }
            }
        }
    }

    /// The views and materialized views whose definition the options ask for and no rule will give:
    /// every view, and every materialized view when the server is not one ``DailyViewRule``
    /// understands.
    func definitionsToDeparse() -> [UInt32] {
        let rules = DailyViewRule.supports(serverVersion: facts.version) && facts.dblink != nil
        var oids: [UInt32] = []
        for relation in relations {
            switch relation.kind {
            case .table: continue
            case .view:
                if CatalogReader.Options.wants(options.includeViewDefinitions, comment: relation.comment) {
                    oids.append(relation.oid)
                }
            case .materializedView:
                if !rules && CatalogReader.Options.wants(options.includeDefinitions, comment: relation.comment) {
                    oids.append(relation.oid)
                }
            }
        }
        return oids
    }

    /// Jobs running `pg_get_viewdef` over `oids`, 2,000 a query.
    static func viewDefinitionJobs(_ oids: [UInt32], into results: SecondPhase) -> [ConnectionPool.Job] {
        batches(oids, size: 2000).map { batch in
            let oids = oidArray(batch)
            return { connection in
                var found: [UInt32: String] = [:]
                for row in try await connection.query(CatalogSQL.viewDefinitions, [oids]) {
                    found[try oid(row, 0)] = row[1]
                }
                results.definitions.update { $0.merge(found) { first, _ in first } }
                results.deparsed.update { $0 += found.count }
            }
        }
    }

    mutating func applyDefinitions(_ definitions: [UInt32: String]) {
        for (oid, definition) in definitions {
            guard let index = relationIndex[oid] else { continue }
            relations[index].definition = definition
        }
    }
}
