/// A change between two revisions of the desired state that loses data or breaks readers (seed 002,
/// "backward compatibility first"): it runs only with `policy.allowDestructive: true` or
/// `--allow-destructive`.
public struct BreakingChange: Sendable, Hashable, CustomStringConvertible {
    /// What kind of change it is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A column left a template: `DROP COLUMN` on every yearly table.
        case columnRemoved
        /// A column was renamed (`renamedFrom`): readers using the old name break.
        case columnRenamed
        /// A column's type changed: yearly tables are rewritten and every value must convert.
        case columnRetyped
        /// A tenant left the warehouse: its schema's objects are dropped.
        case tenantRemoved
        /// `firstYear` went up: the yearly tables of the years before it are dropped.
        case firstYearRaised
        /// A template left the repository: its views, yearly tables and daily views are dropped.
        case templateRemoved
    }

    /// What kind of change it is.
    public var kind: Kind
    /// The template concerned, or `nil` for warehouse-wide changes (tenants, `firstYear`).
    public var template: String?
    /// The object, e.g. `foodlogstats.weight`, `tenant acme`, `firstYear`.
    public var object: String
    /// What running the change does, in a user's words: "drops column 'weight' of template foodlogstats
    /// from every yearly table; its history is lost".
    public var consequence: String

    /// A breaking change.
    public init(kind: Kind, template: String?, object: String, consequence: String) {
        self.kind = kind
        self.template = template
        self.object = object
        self.consequence = consequence
    }

    /// `columnRemoved foodlogstats.weight: drops column 'weight' …`.
    public var description: String { "\(kind.rawValue) \(object): \(consequence)" }
}
