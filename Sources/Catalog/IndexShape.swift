/// What many indexes have in common: the same index of every daily view of a template has one shape.
struct IndexShape: Sendable, Hashable {
    var method: UInt32
    var unique: Bool
    var valid: Bool
    var hasExpressions: Bool
    var hasPredicate: Bool
    var nullsNotDistinct: Bool
    var hasStorageOptions: Bool
    var keyCount: Int
    /// `indkey`: attribute numbers, 0 for an expression.
    var attributes: [Int]
    var classes: [Int]
    var options: [Int]
    var collations: [Int]
}
