import Foundation
import WardenModel

extension Plan {
    /// The plan for people: a header with counts, disk, lock time and risk; then each phase with when
    /// it runs (``when``, once the scheduler filled it in), its size and cost, and its steps grouped by
    /// kind (`[1–219] 219 × build shadow daily view · foodlogstats · 3 tenants (…) · 2026-01-01…2026-03-14`);
    /// then the notes. With `sql`, every step follows with its SQL.
    public func text(sql: Bool = false) -> String { TerminalText.neutralized(rawText(sql: sql)) }

    private func rawText(sql: Bool) -> String {
        var lines: [String] = []
        let at = revision.map { " at \(String($0.prefix(12)))" } ?? ""
        // Routine work (DESIGN.md §6b) is named as such: no window holds it back.
        let title = !steps.isEmpty && steps.allSatisfy { $0.work == .routine } ? "routine" : "plan"
        lines.append("\(title) as of \(asOf)\(at) · strategy \(strategy.rawValue) · risk \(summary.risk.rawValue)")
        if steps.isEmpty {
            lines.append(unplanned.isEmpty ? "nothing to do"
                : "nothing to do now, but \(unplanned.count) drift item\(unplanned.count == 1 ? "" : "s") cannot be planned yet (see the notes)")
        } else {
            let phases = PlanStep.Phase.allCases.compactMap { phase in summary.stepsByPhase[phase.rawValue].map { "\(phase.rawValue) \($0)" } }
            lines.append("\(steps.count) step\(steps.count == 1 ? "" : "s"): \(phases.joined(separator: ", ")) · \(Plan.classCounts(steps))")
            lines.append("extra disk for shadows: \(summary.extraDiskBytes.map(Plan.bytes) ?? "unknown")"
                + " · public-view lock: \(Plan.seconds(summary.publicViewLockSeconds))"
                + " · estimated time: \(summary.estimatedSeconds.map(Plan.seconds) ?? "unknown")")
        }
        lines.append("risk: \(summary.risk.rawValue) (\(summary.riskReasons.joined(separator: "; ")))")
        if let asOfRegression {
            lines.append("refused: " + asOfRegression.refusal)
        }
        if !destructiveReasons.isEmpty {
            lines.append("needs allowDestructive: \(Plan.shortList(destructiveReasons, limit: 6))")
        }
        if !prepared.isEmpty {
            lines.append("progress: \(prepared.count) shadow\(prepared.count == 1 ? "" : "s") built by an earlier apply are swapped in as they are")
        }
        if let when, !steps.isEmpty {
            lines.append("when: evaluated at \(when.evaluatedAt)")
        }
        for phase in PlanStep.Phase.allCases {
            let phaseSteps = steps(in: phase)
            guard !phaseSteps.isEmpty else { continue }
            lines.append("")
            lines += phaseSummary(phase, phaseSteps)
        }
        if !notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            lines += notes.map { "  - \($0)" }
        }
        if sql {
            lines += stepListing()
        } else if !steps.isEmpty {
            lines.append("")
            lines.append("(each step with its SQL: add --sql, or --format sql for a migration file)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A phase's lines: when it runs, what it costs, and its steps grouped by kind and template.
    private func phaseSummary(_ phase: PlanStep.Phase, _ phaseSteps: [PlanStep]) -> [String] {
        let whenText = when?.phases.first { $0.phase == phase }?.text
        var lines = [phase.rawValue + (whenText.map { ": " + $0 } ?? "")]
        var facts = ["\(phaseSteps.count) step\(phaseSteps.count == 1 ? "" : "s")", Plan.classCounts(phaseSteps)]
        let shadows = phaseSteps.filter { $0.kind == .buildShadowDailyView || $0.kind == .buildShadowYearlyTable }
        if !shadows.isEmpty, shadows.allSatisfy({ $0.estimateBytes != nil }) {
            facts.append("~\(Plan.bytes(shadows.reduce(0) { $0 + ($1.estimateBytes ?? 0) })) extra disk")
        }
        let lock = phaseSteps.filter { $0.stepClass == .briefLock }.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }
        if phase == .swap && lock > 0 { facts.append("locks readers ~\(Plan.seconds(lock))") }
        let blocking = phaseSteps.filter { $0.stepClass == .blocking }
        if !blocking.isEmpty {
            facts.append("readers wait or fail ~\(Plan.seconds(blocking.reduce(0) { $0 + ($1.estimateSeconds ?? 0) })) (blocking steps)")
        }
        if phaseSteps.allSatisfy({ $0.estimateSeconds != nil }) {
            facts.append("~\(Plan.seconds(phaseSteps.reduce(0) { $0 + ($1.estimateSeconds ?? 0) }))")
        }
        lines.append("  " + facts.joined(separator: " · "))
        lines += StepGroup.groups(phaseSteps).map { "  " + $0.line }
        return lines
    }

    /// The steps of a phase grouped by kind and template, one line each, as the text shows them
    /// (`[1–219]  219 × build shadow daily view · foodlogstats · 3 tenants (…) · 2026-01-01…2026-03-14 · online`).
    public func groupLines(in phase: PlanStep.Phase) -> [String] {
        StepGroup.groups(steps(in: phase)).map { TerminalText.neutralized($0.line) }
    }

    /// Every step with its SQL, as `--sql` shows it.
    private func stepListing() -> [String] {
        var lines: [String] = []
        for phase in PlanStep.Phase.allCases {
            let phaseSteps = steps(in: phase)
            guard !phaseSteps.isEmpty else { continue }
            lines.append("")
            lines.append("== \(phase.rawValue) ==")
            for step in phaseSteps {
                var estimate: [String] = []
                if let bytes = step.estimateBytes { estimate.append(Plan.bytes(bytes)) }
                if let seconds = step.estimateSeconds { estimate.append(Plan.seconds(seconds)) }
                var flags: [String] = []
                if !step.transactional { flags.append("no transaction") }
                if step.touchesLiveObjects { flags.append("short lock timeout") }
                lines.append("[\(step.id)] \(step.stepClass.rawValue)  \(step.kind.rawValue)  \(Plan.shortList(step.targets, limit: 8))"
                    + (estimate.isEmpty ? "" : "  ~" + estimate.joined(separator: ", "))
                    + (flags.isEmpty ? "" : "  (" + flags.joined(separator: ", ") + ")"))
                for statement in step.statements {
                    lines += statement.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                }
            }
        }
        return lines
    }

    /// `online 219, brief-lock 3`.
    static func classCounts(_ steps: [PlanStep]) -> String {
        PlanStep.StepClass.allCases.compactMap { kind in
            let count = steps.filter { $0.stepClass == kind }.count
            return count == 0 ? nil : "\(kind.rawValue) \(count)"
        }.joined(separator: ", ")
    }

    /// The first `limit` items and how many more: `a, b, c, … (+216 more)`.
    public static func shortList(_ items: [String], limit: Int) -> String {
        items.count <= limit ? items.joined(separator: ", ")
            : items.prefix(limit).joined(separator: ", ") + ", … (+\(items.count - limit) more)"
    }

    /// The stable machine format, keys sorted.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A migration file in seed 002's layout: `YYYYMMDD_HHMMSS_<name>.sql` with a header block, an UP
    /// section with every step's SQL and a DOWN section, commented out, undoing the reversible steps in
    /// reverse order.
    public func migrationFile(name: String, timestamp: MigrationTimestamp) -> (fileName: String, contents: String) {
        let slug = Plan.slug(name)
        let rule = "-- ====================================================="
        var out: [String] = [
            rule,
            "-- MIGRATION: \(name)",
            "-- Version: v\(timestamp.compact)",
            "-- Author: warden" + (revision.map { " (revision \($0))" } ?? ""),
            "-- Risk Assessment: \(summary.risk.rawValue)",
            "-- Estimated Duration: \(Plan.duration(summary.estimatedSeconds))",
            rule,
            "",
            "-- Description: warden plan as of \(asOf), strategy \(strategy.rawValue), \(steps.count) step\(steps.count == 1 ? "" : "s")",
        ]
        out += notes.map { "-- Note: \($0)" }
        out += ["", rule, "-- UP MIGRATION", rule, ""]
        // One dblink connection per tenant while its views are built, as the seed's functions and warden's
        // executor keep it, instead of one per view.
        var source: String?
        for step in steps {
            if step.sourceConnection != source {
                if let open = source { out += [SourceConnection.close(open) + ";", ""] }
                if let next = step.sourceConnection { out += [SourceConnection.open(next) + ";", ""] }
                source = step.sourceConnection
            }
            out.append("-- Step \(step.id): \(step.kind.rawValue) \(step.targets.joined(separator: ", ")) (\(step.phase.rawValue), \(step.stepClass.rawValue))")
            out += Plan.script(step.statements, transactional: step.transactional, touchesLiveObjects: step.touchesLiveObjects)
            out.append("")
        }
        if let open = source { out += [SourceConnection.close(open) + ";", ""] }
        out += [rule, "-- DOWN MIGRATION (ROLLBACK)", rule, "", "/*"]
        for step in steps.reversed() {
            guard step.reversible && !step.undo.isEmpty else {
                out.append("-- Step \(step.id) (\(step.kind.rawValue) \(step.targets.joined(separator: ", "))) cannot be undone automatically;")
                out.append("-- the rollbacks below it may fail while its result depends on theirs.")
                out.append("")
                continue
            }
            out.append("-- Rollback Step \(step.id): \(step.kind.rawValue) \(step.targets.joined(separator: ", "))")
            out += Plan.script(step.undo, transactional: step.transactional, touchesLiveObjects: step.touchesLiveObjects)
            out.append("")
        }
        out.append("*/")
        return ("\(timestamp.compact)_\(slug).sql", out.joined(separator: "\n") + "\n")
    }

    /// Statements as a psql script: a transaction with a short lock timeout where the step needs one.
    static func script(_ statements: [String], transactional: Bool, touchesLiveObjects: Bool) -> [String] {
        let body = statements.map { $0 + ";" }
        if transactional && (statements.count > 1 || touchesLiveObjects) {
            return ["BEGIN;"] + (touchesLiveObjects ? ["SET LOCAL lock_timeout = '\(liveLockTimeout)';"] : []) + body + ["COMMIT;"]
        }
        if touchesLiveObjects { return ["SET lock_timeout = '\(liveLockTimeout)';"] + body + ["RESET lock_timeout;"] }
        return body
    }

    /// The lock timeout of statements on objects readers use: tens of milliseconds, then retry.
    static let liveLockTimeout = "50ms"

    /// `Add waste_category!` → `add_waste_category`.
    static func slug(_ name: String) -> String {
        var out = ""
        for scalar in name.lowercased().unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if ok {
                out.unicodeScalars.append(scalar)
            } else if !out.hasSuffix("_") && !out.isEmpty {
                out.append("_")
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out.isEmpty ? "warden_plan" : out
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "unknown (no live sizes)" }
        if seconds < 60 { return "< 1 minute" }
        return "about \(Int((seconds / 60).rounded(.up))) minutes"
    }

    /// `864.0 kB`: binary multiples (1024), as PostgreSQL's `pg_size_pretty`.
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = value
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded())) ms" : String(format: "%.1f s", value)
    }
}
