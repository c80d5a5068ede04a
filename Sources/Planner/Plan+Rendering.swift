import Foundation
import WardenModel

extension Plan {
    /// The plan for people: a header with counts, disk, lock time and risk, the notes, then each phase
    /// with every step's class, kind, targets, estimate and SQL.
    public func text() -> String { TerminalText.neutralized(rawText()) }

    private func rawText() -> String {
        var lines: [String] = []
        let at = revision.map { " at \(String($0.prefix(12)))" } ?? ""
        lines.append("plan as of \(asOf)\(at) · strategy \(strategy.rawValue) · risk \(summary.risk.rawValue)")
        if steps.isEmpty {
            lines.append(unplanned.isEmpty ? "nothing to do"
                : "nothing to do now, but \(unplanned.count) drift item\(unplanned.count == 1 ? "" : "s") cannot be planned yet (see the notes)")
        } else {
            let phases = PlanStep.Phase.allCases.compactMap { phase in summary.stepsByPhase[phase.rawValue].map { "\(phase.rawValue) \($0)" } }
            let classes = PlanStep.StepClass.allCases.compactMap { kind in summary.stepsByClass[kind.rawValue].map { "\(kind.rawValue) \($0)" } }
            lines.append("\(steps.count) step\(steps.count == 1 ? "" : "s"): \(phases.joined(separator: ", ")) · \(classes.joined(separator: ", "))")
            lines.append("extra disk for shadows: \(summary.extraDiskBytes.map(Plan.bytes) ?? "unknown")"
                + " · public-view lock: \(Plan.seconds(summary.publicViewLockSeconds))"
                + " · estimated time: \(summary.estimatedSeconds.map(Plan.seconds) ?? "unknown")")
        }
        lines.append("risk: \(summary.risk.rawValue) (\(summary.riskReasons.joined(separator: "; ")))")
        if let asOfRegression {
            lines.append("refused: " + asOfRegression.refusal)
        }
        if !destructiveReasons.isEmpty {
            lines.append("needs allowDestructive: \(destructiveReasons.joined(separator: ", "))")
        }
        if !notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            lines += notes.map { "  - \($0)" }
        }
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
                lines.append("[\(step.id)] \(step.stepClass.rawValue)  \(step.kind.rawValue)  \(step.targets.joined(separator: ", "))"
                    + (estimate.isEmpty ? "" : "  ~" + estimate.joined(separator: ", "))
                    + (flags.isEmpty ? "" : "  (" + flags.joined(separator: ", ") + ")"))
                for statement in step.statements {
                    lines += statement.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
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

    static func bytes(_ value: Double) -> String {
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
