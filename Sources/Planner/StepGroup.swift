import WardenModel

/// Steps of one phase with the same kind, template and class, as the plan text shows them: one line
/// for 219 daily views, with their tenants and days, instead of 219 blocks.
struct StepGroup {
    var kind: PlanStep.Kind
    var template: String?
    var stepClass: PlanStep.StepClass
    var steps: [PlanStep] = []

    /// The groups of `steps`, in the order their first steps run.
    static func groups(_ steps: [PlanStep]) -> [StepGroup] {
        var groups: [StepGroup] = []
        var index: [String: Int] = [:]
        for step in steps {
            let key = "\(step.kind.rawValue)|\(step.template ?? "")|\(step.stepClass.rawValue)"
            if let at = index[key] {
                groups[at].steps.append(step)
            } else {
                index[key] = groups.count
                groups.append(StepGroup(kind: step.kind, template: step.template, stepClass: step.stepClass, steps: [step]))
            }
        }
        return groups
    }

    /// `[1–219]  219 × build shadow daily view · foodlogstats · 3 tenants (acme, landb, west) · 2026-01-01…2026-03-14 · online · ~12.0 MB, 1.1 s`
    var line: String {
        var parts: [String] = []
        let count = steps.count
        parts.append(count == 1 ? StepGroup.words(kind) : "\(count) × \(StepGroup.words(kind))")
        if let template { parts.append(template) }
        let tenants = Array(Set(steps.compactMap(\.tenant))).sorted()
        if tenants.count > 1 {
            parts.append("\(tenants.count) tenants (\(Plan.shortList(tenants, limit: 4)))")
        } else if let tenant = tenants.first {
            parts.append("tenant \(tenant)")
        }
        let days = steps.flatMap(\.targets).compactMap { StepGroup.day(of: $0, template: template) }
        if let first = days.min(), let last = days.max() {
            let distinct = Set(days).count
            parts.append(first == last ? "\(first)" : "\(first)…\(last)" + (distinct != last.ordinal - first.ordinal + 1 ? " (\(distinct) days)" : ""))
        } else if count == 1 || tenants.isEmpty {
            // No day or tenants to summarize them by: name what they touch.
            parts.append(Plan.shortList(steps.flatMap(\.targets), limit: 3))
        }
        parts.append(stepClass.rawValue)
        var estimate: [String] = []
        if steps.allSatisfy({ $0.estimateBytes != nil }), steps.contains(where: { ($0.estimateBytes ?? 0) > 0 }) {
            estimate.append(Plan.bytes(steps.reduce(0) { $0 + ($1.estimateBytes ?? 0) }))
        }
        if steps.allSatisfy({ $0.estimateSeconds != nil }) {
            estimate.append(Plan.seconds(steps.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }))
        }
        if !estimate.isEmpty { parts.append("~" + estimate.joined(separator: ", ")) }
        return "[\(StepGroup.ranges(steps.map(\.id)))]  " + parts.joined(separator: " · ")
    }

    /// `buildShadowDailyView` → `build shadow daily view`.
    static func words(_ kind: PlanStep.Kind) -> String {
        var out = ""
        for character in kind.rawValue {
            if character.isUppercase {
                out += " " + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// `1–73, 80–152, 159` (at most four runs, then `…`).
    static func ranges(_ ids: [Int]) -> String {
        var runs: [(Int, Int)] = []
        for id in ids.sorted() {
            if let last = runs.last, last.1 + 1 == id { runs[runs.count - 1].1 = id } else { runs.append((id, id)) }
        }
        let shown = runs.prefix(4).map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)–\($0.1)" }
        return shown.joined(separator: ", ") + (runs.count > 4 ? ", …" : "")
    }

    /// The day of a daily view (or its shadow or retired copy) named by a target: `landb.foodlogstats_2026_01_02__shadow` → 2026-01-02.
    static func day(of target: String, template: String?) -> Day? {
        guard let template else { return nil }
        var name = Substring(target.split(separator: ".", maxSplits: 1).last ?? Substring(target))
        for suffix in [ObjectNames.shadowSuffix, ObjectNames.retiredSuffix] where name.hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
        }
        guard case .dailyView(_, let day)? = ObjectNames.role(of: String(name), templates: [template]) else { return nil }
        return day
    }
}
