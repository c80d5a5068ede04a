/// `warden apply --now --reason "…"`: run now whatever the allow windows say and whether or not the
/// estimate fits, unless an active deny window forbids manual syncs (DESIGN.md §6).
public struct ManualOverride: Sendable, Hashable {
    /// Why, for the run record.
    public var reason: String

    /// An override.
    public init(reason: String) {
        self.reason = reason
    }
}
