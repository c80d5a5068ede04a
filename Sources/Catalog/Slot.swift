import Synchronization

/// A result a job hands back to the session.
final class Slot<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ initial: Value) { storage = Mutex(initial) }

    var value: Value { storage.withLock { $0 } }

    func set(_ value: Value) { storage.withLock { $0 = value } }

    func update(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}
