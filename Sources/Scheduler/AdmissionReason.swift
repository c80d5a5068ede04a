import Foundation
import Planner

/// The sentences of ``Admission/wait(until:window:reason:)`` and ``Admission/refused(reason:)``.
enum AdmissionReason {
    /// "brief-lock swap step 12".
    static func describe(_ step: PlanStep) -> String {
        (step.work == .routine ? "routine " : "") + "\(step.stepClass.rawValue) \(step.phase.rawValue) step \(step.id)"
    }

    /// RFC 3339 in UTC, to the second: "2026-03-08T07:00:00Z".
    static func instant(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// "2h 10m", "1h", "4d", "45m 30s"; a fraction of a second counts as a second.
    static func duration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "forever" }
        var rest = Int(seconds.rounded(.up))
        if rest <= 0 { return "0s" }
        var parts: [String] = []
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }

    /// "window sunday-night", "windows a + b".
    static func windows(_ names: [String]) -> String {
        names.count == 1 ? "window \(names[0])" : "windows \(names.joined(separator: " + "))"
    }

    static func searchSpan(_ days: Int) -> String { "in the next \(days) days" }
}
