/// Why `warden repair` will not rebuild a view: one sentence naming the object at fault and what to do.
///
/// Thrown before anything runs, so a refused repair changes nothing.
public struct RepairRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
