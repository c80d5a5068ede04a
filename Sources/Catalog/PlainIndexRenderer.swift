/// Renders `pg_get_indexdef` for plain indexes without asking the server.
///
/// `pg_get_indexdef` costs about 17 µs per index (4 s for the 232,000 indexes of the benchmark
/// warehouse). For a *plain* index — key columns only, no expression, predicate, `INCLUDE`, storage
/// option, `NULLS NOT DISTINCT`, sort option, non-default collation or operator class, on a btree or
/// hash index — its output is fully determined by names the reader already has:
/// `CREATE [UNIQUE ]INDEX <name> ON <schema>.<table> USING <method> (<column>, …)`. Every other index is
/// deparsed by the server.
struct PlainIndexRenderer: Sendable {
    /// Default operator class per (access method, input type).
    var defaultClasses: [AccessMethodType: [UInt32]] = [:]
    /// Binary-coercible casts: source type → target types.
    var binaryCasts: [UInt32: [UInt32]] = [:]
    /// Access method names by OID.
    var accessMethods: [UInt32: String] = [:]
    /// Domain types (their default operator class is the base type's; left to the server).
    var domains: Set<UInt32> = []
    /// Type categories (`typcategory`) of the column types.
    var categories: [UInt32: String] = [:]
    /// Preferred types and their category.
    var preferred: [UInt32: String] = [:]

    struct AccessMethodType: Hashable, Sendable {
        var method: UInt32
        var type: UInt32
    }

    static let btree: UInt32 = 403
    static let hash: UInt32 = 405
    static let defaultCollation: UInt32 = 100

    /// The operator class the server would pick for a column of `type`, as `GetDefaultOpClass` picks
    /// it: the unique default class for exactly that type; else the unique one for a preferred type of
    /// the same category it is binary-coercible to (`varchar` → `text_ops`); else the unique one for
    /// any type it is binary-coercible to. `nil` when none or several qualify, or for a domain or a
    /// polymorphic match (arrays, enums, ranges): the server deparses those.
    func defaultClass(method: UInt32, type: UInt32) -> UInt32? {
        guard !domains.contains(type), let category = categories[type] else { return nil }
        if let exact = defaultClasses[AccessMethodType(method: method, type: type)] {
            return exact.count == 1 ? exact[0] : nil
        }
        var compatible: [UInt32] = []
        var compatiblePreferred: [UInt32] = []
        for target in binaryCasts[type] ?? [] {
            for candidate in defaultClasses[AccessMethodType(method: method, type: target)] ?? [] {
                if preferred[target] == category {
                    compatiblePreferred.append(candidate)
                } else {
                    compatible.append(candidate)
                }
            }
        }
        if compatiblePreferred.count == 1 { return compatiblePreferred[0] }
        if compatiblePreferred.isEmpty && compatible.count == 1 { return compatible[0] }
        return nil
    }

    /// A heap column as the index sees it.
    struct KeyColumn {
        var name: String
        var typeOID: UInt32
        var collation: UInt32
    }

    /// What follows the table's name in a plain index's definition (` USING btree (id, store)`), or
    /// `nil` when indexes of this shape on these columns are not plain (the server deparses them).
    func renderTail(shape: IndexShape, keys: [KeyColumn], quoting: ServerQuoting) -> String? {
        guard shape.method == Self.btree || shape.method == Self.hash, !shape.hasExpressions,
              !shape.hasPredicate, !shape.nullsNotDistinct, !shape.hasStorageOptions,
              shape.keyCount == shape.attributes.count, keys.count == shape.keyCount,
              shape.options.count == keys.count, shape.options.allSatisfy({ $0 == 0 }),
              shape.classes.count == keys.count, shape.collations.count == keys.count,
              let method = accessMethods[shape.method]
        else { return nil }
        var columns: [String] = []
        for (position, key) in keys.enumerated() {
            let collation = UInt32(truncatingIfNeeded: shape.collations[position])
            guard collation == 0 || collation == key.collation,
                  let expected = defaultClass(method: shape.method, type: key.typeOID),
                  UInt32(truncatingIfNeeded: shape.classes[position]) == expected
            else { return nil }
            columns.append(quoting.identifier(key.name))
        }
        return " USING " + method + " (" + columns.joined(separator: ", ") + ")"
    }

    /// `CREATE [UNIQUE ]INDEX <name> ON <table><tail>`, as `pg_get_indexdef` prints it.
    static func definition(unique: Bool, name: String, table: String, tail: String, quoting: ServerQuoting) -> String {
        (unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + quoting.identifier(name) + " ON " + table + tail
    }
}
