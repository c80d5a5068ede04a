import WardenModel

/// One view a ``ViewRepair`` puts back: what it reads, what it grants, and why it needed repair.
public struct RepairedView: Sendable, Hashable {
    /// What the repair does to the view.
    public enum Action: String, Sendable, Hashable {
        /// The view was missing: `CREATE`.
        case created
        /// The view existed with other members or columns that `CREATE OR REPLACE` can extend.
        case replaced
        /// The view existed with columns `CREATE OR REPLACE` cannot turn into the right ones: dropped and
        /// created again in the same transaction (grants, owner and comment restored there too).
        case recreated
        /// The view was right but lacked grants or its owner: only those are restored.
        case regranted
    }

    public var name: QualifiedName
    public var action: Action
    /// The relations it reads, in branch order.
    public var members: [QualifiedName]
    /// Its output columns, in order.
    public var columns: [String]
    /// Roles granted `SELECT`.
    public var grantedTo: [String]
    /// The owner set, when `warehouse.yaml` names one.
    public var owner: String?
    /// What it reads, for people: "3 tenant views (acme, bistro, landb)", "1 yearly table and 4 daily views".
    public var memberSummary: String
    /// Why it needed repair: "it was missing", "it read 2 of 3 members".
    public var reason: String

    public init(
        name: QualifiedName, action: Action, members: [QualifiedName], columns: [String], grantedTo: [String],
        owner: String?, memberSummary: String, reason: String
    ) {
        self.name = name
        self.action = action
        self.members = members
        self.columns = columns
        self.grantedTo = grantedTo
        self.owner = owner
        self.memberSummary = memberSummary
        self.reason = reason
    }

    /// One line for people: `public.foodlogstats: created over 3 tenant views (acme, bistro, landb), 9
    /// columns; SELECT granted to analysts (it was missing)`.
    public var summary: String {
        var line = action == .regranted
            ? "\(name): \(grantedTo.isEmpty ? "owner" : "grants") restored"
            : "\(name): \(action.rawValue) over \(memberSummary), \(columns.count) column\(columns.count == 1 ? "" : "s")"
        if !grantedTo.isEmpty { line += "; SELECT granted to \(grantedTo.joined(separator: ", "))" }
        if let owner { line += "; owner \(owner)" }
        return line + " (\(reason))"
    }
}
