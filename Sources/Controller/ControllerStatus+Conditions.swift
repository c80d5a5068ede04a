import Foundation

extension ControllerStatus {
    /// The condition of `type`, if status has one.
    public func condition(_ type: Condition.Kind) -> Condition? {
        conditions.first { $0.type == type }
    }

    /// Sets a condition as Kubernetes' `meta.SetStatusCondition` does: `lastTransitionTime` moves only when
    /// the status changes; reason and message always take the new values. Conditions stay in
    /// ``Condition/Kind`` order.
    public mutating func setCondition(
        _ type: Condition.Kind, _ status: Condition.Status, reason: String, message: String, at now: Date
    ) {
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            if conditions[index].status != status { conditions[index].lastTransitionTime = now }
            conditions[index].status = status
            conditions[index].reason = reason
            conditions[index].message = message
            return
        }
        conditions.append(Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: now))
        let order = Condition.Kind.allCases
        conditions.sort { order.firstIndex(of: $0.type)! < order.firstIndex(of: $1.type)! }
    }
}
