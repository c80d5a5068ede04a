/// A plan's risk, from seed 000's indicators: low for a simple appended column with a default, medium
/// for type changes, blocking steps or many tenants, high for anything destructive.
public enum RiskLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
