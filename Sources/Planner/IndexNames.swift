import WardenModel

/// Index names as the seed's registry writes them, `idx_<schema>_<relation>_<col1>_<col2>`, fitted to
/// PostgreSQL's 63 bytes.
///
/// A name that does not fit keeps its first 46 bytes and gets `_` and 16 hex digits (64 bits) of a hash
/// of the whole name, so PostgreSQL never truncates it (two truncated names could collide) and two long
/// names that share a prefix stay distinct. A hash alone only makes a collision unlikely; an
/// ``IndexNameBook`` makes it impossible within a plan, against the catalog and the plan's own names.
public enum IndexNames {
    /// The name of the index on `columns` of `schema.relation`; `salt` > 0 gives the deterministic
    /// alternatives an ``IndexNameBook`` takes when the plain name is someone else's.
    public static func name(schema: String, relation: String, columns: [String], salt: Int = 0) -> String {
        let name = "idx_\(schema)_\(relation)_" + columns.joined(separator: "_")
        return salt == 0 ? fitted(name) : fitted(name, forced: true, salt: salt)
    }

    /// `name` unchanged when it fits 63 bytes, else its first 46 bytes (whole characters), `_` and a hash.
    public static func fitted(_ name: String) -> String { fitted(name, forced: false, salt: 0) }

    private static func fitted(_ name: String, forced: Bool, salt: Int) -> String {
        guard forced || name.utf8.count > NamingRules.maximumIdentifierBytes else { return name }
        var prefix = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            let width = String(scalar).utf8.count
            if bytes + width > keptBytes { break }
            prefix.append(scalar)
            bytes += width
        }
        return String(prefix) + "_" + SpecHash.of(salt == 0 ? [name] : [name, "salt \(salt)"])
    }

    /// Bytes kept from a name too long to fit: 46 + `_` + 16 hex digits = 63.
    static let keptBytes = 46
}

/// The index names one planning run hands out, per schema (PostgreSQL's namespace for indexes), so two
/// objects never get the same name (DESIGN.md §1), whatever the hash does.
///
/// Seeded with the live catalog's names; every name the plan gives is recorded. A name already held by
/// another index (another relation, other columns) is never given: the next salted alternative is, the
/// same one for the same catalog and plan, so the plan stays deterministic. An index that already has
/// one of its names in the catalog keeps it. (Short names can collide too: `idx_s_a_b_c` is both the
/// index on `(b, c)` of `s.a` and the one on `(c)` of `s.a_b`.)
final class IndexNameBook {
    private struct Owner: Hashable {
        var relation: String
        var columns: [String]
        var unique: Bool
    }

    /// schema → name → the index holding it.
    private var taken: [String: [String: Owner]] = [:]

    init(live: LiveWarehouse) {
        for (name, relation) in live.relations {
            for index in relation.indexes {
                taken[name.schema, default: [:]][index.name] = Owner(relation: name.name, columns: index.columns, unique: index.unique)
            }
        }
    }

    /// Salted alternatives tried for an index's name already in the catalog.
    private static let knownSalts = 0..<8

    /// The name of the index of `spec` on `relation`: the seed's name unless another index holds it.
    func name(_ spec: IndexSpec, on relation: QualifiedName) -> String {
        name(columns: spec.columns, unique: spec.unique, on: relation)
    }

    /// The name of an index on `columns` of `relation`.
    func name(columns: [String], unique: Bool, on relation: QualifiedName) -> String {
        let owner = Owner(relation: relation.name, columns: columns, unique: unique)
        let candidate = { (salt: Int) in IndexNames.name(schema: relation.schema, relation: relation.name, columns: columns, salt: salt) }
        let plain = candidate(0)
        let holder = taken[relation.schema]?[plain]
        if holder == nil || holder == owner {
            if holder == nil { taken[relation.schema, default: [:]][plain] = owner }
            return plain
        }
        // Another index holds the plain name: this index's own salted name if the catalog has it, else
        // the first salted name nobody holds.
        if let known = Self.knownSalts.dropFirst().map(candidate).first(where: { taken[relation.schema]?[$0] == owner }) {
            return known
        }
        var salt = 1
        while taken[relation.schema]?[candidate(salt)] != nil { salt += 1 }
        taken[relation.schema, default: [:]][candidate(salt)] = owner
        return candidate(salt)
    }
}
