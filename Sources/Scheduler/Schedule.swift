import Foundation
import Planner
import WardenModel

/// When the steps of a plan may run, given the warehouse's maintenance windows (DESIGN.md §6): Argo
/// CD's sync-window algebra with its holes fixed. Pure: every answer is for an instant passed in.
///
/// - No windows at all: every step may run at any time.
/// - An active deny window blocks every step, `online` included; deny beats allow.
/// - When allow windows are declared, brief-lock, blocking and destructive steps, every swap step, and
///   online prepare steps unless `prepareAhead`, run only inside an allow window; online cleanup steps
///   (and online prepare steps with `prepareAhead`) run whenever no deny window is active.
/// - A step starts only if its estimate fits before the time that permits it ends: the end of the
///   allow windows open (their union), or the start of the next deny window.
/// - Routine steps (``PlanStep/Work/routine``: due days, rollovers, putting back a dropped view) never
///   need an allow window; with `routine.inDenyWindows: run` (the default) deny windows do not hold them
///   either.
/// - ``ManualOverride`` ignores allow windows and estimates, and is refused in an active deny window
///   without `manualSync`.
///
/// docs/WINDOWS.md has the details and the reasons.
public struct Schedule: Sendable {
    /// The windows.
    public let calendar: WindowCalendar
    /// Whether online prepare steps may run outside allow windows (`policy.prepareAhead`).
    public let prepareAhead: Bool
    /// Whether routine steps run inside deny windows (`routine.inDenyWindows`); allow windows never
    /// hold them (DESIGN.md §6b).
    public let routineInDenyWindows: Routine.InDenyWindows

    /// How far ahead a waiting step looks for a window it fits in.
    public static let searchDays = 400

    /// A schedule for `calendar` under `policy.prepareAhead`.
    /// The schedule of a desired state's windows under `policy` (its own policy by default): what the
    /// CLI, the drift report and the controller all schedule with.
    public init(_ desired: DesiredWarehouse, policy: Policy? = nil) throws {
        self.init(
            calendar: try WindowCalendar(desired.settings.windows), prepareAhead: (policy ?? desired.settings.policy).prepareAhead,
            routineInDenyWindows: desired.settings.routine.inDenyWindows)
    }

    public init(calendar: WindowCalendar, prepareAhead: Bool, routineInDenyWindows: Routine.InDenyWindows = .run) {
        self.calendar = calendar
        self.prepareAhead = prepareAhead
        self.routineInDenyWindows = routineInDenyWindows
    }

    /// Whether `step` may run only inside an allow window when allow windows are declared.
    ///
    /// Every swap step does, whatever its class: the swap is what the window is for, and a grant of the
    /// swap phase belongs with the views it re-grants.
    public func needsAllowWindow(_ step: PlanStep) -> Bool {
        if step.work == .routine { return false }
        guard step.stepClass == .online else { return true }
        switch step.phase {
        case .prepare: return !prepareAhead
        case .swap: return true
        case .cleanup: return false
        }
    }

    /// Whether `step` may start at `date`, and if not, when it may.
    ///
    /// A step that needs a window starts only if `date + estimateSeconds` is at most the end of the
    /// permitting allow windows (or the start of a deny window opening before that); a `nil` estimate
    /// counts as 0. A step that needs no allow window must likewise finish before the next deny window.
    /// A waiting step gets the earliest instant it could start within ``searchDays``.
    public func admit(_ step: PlanStep, at date: Date, override: ManualOverride? = nil) -> Admission {
        if calendar.isEmpty { return .run(deadline: nil) }
        if step.work == .routine && routineInDenyWindows == .run { return .run(deadline: nil) }
        let limit = date.addingTimeInterval(TimeInterval(Self.searchDays) * TimeInterval(CivilDay.secondsPerDay))
        if override != nil { return admitManually(at: date, before: limit) }
        let needsAllow = calendar.hasAllowWindows && needsAllowWindow(step)
        let denied = calendar.openings(of: .deny, from: date, before: limit)
        if needsAllow {
            var openings = OpeningDifference(calendar.openings(of: .allow, from: date, before: limit), minus: denied)
            return place(step, at: date, before: limit, in: &openings, needsAllow: true)
        }
        let always = CollectionOfOne(Opening(start: date, end: Opening.unbounded, windows: [])).makeIterator()
        var openings = OpeningDifference(always, minus: denied)
        return place(step, at: date, before: limit, in: &openings, needsAllow: false)
    }

    /// An estimate in seconds: `nil` and negative count as 0.
    static func seconds(_ estimate: Double?) -> TimeInterval {
        guard let estimate, !estimate.isNaN else { return 0 }
        return max(0, estimate)
    }

    /// `--now`: refused in an active deny window without `manualSync`, else runs until the next one opens.
    private func admitManually(at date: Date, before limit: Date) -> Admission {
        if let deny = calendar.active(at: date).first(where: { $0.kind == .deny && !$0.manualSync }) {
            return .refused(
                reason: "--now is refused: deny window \(deny.name) is open until \(AdmissionReason.instant(deny.end)) "
                    + "and has manualSync: false; wait for it to close or set manualSync: true on it.")
        }
        return .run(deadline: calendar.nextStrictDeny(after: date, before: limit)?.start)
    }

    /// The first opening at or after `date` that the step's estimate fits in.
    private func place<Openings: IteratorProtocol>(
        _ step: PlanStep, at date: Date, before limit: Date, in openings: inout Openings, needsAllow: Bool
    ) -> Admission where Openings.Element == Opening {
        let estimate = Self.seconds(step.estimateSeconds)
        var current: Opening?
        var longest: Opening?
        while let opening = openings.next() {
            guard opening.end > date else { continue }
            let start = max(opening.start, date)
            guard start < limit else { break }
            if opening.end == Opening.unbounded || opening.end.timeIntervalSince(start) >= estimate {
                if start == date { return .run(deadline: opening.end == Opening.unbounded ? nil : opening.end) }
                return waiting(step, at: date, until: start, current: current, needsAllow: needsAllow)
            }
            if start == date { current = opening }
            if longest.map({ opening.length > $0.length }) ?? true { longest = opening }
        }
        return .wait(until: nil, window: nil, reason: neverFits(step, longest: longest, needsAllow: needsAllow))
    }

    /// Why `step` cannot start at `date` and what it waits for until `start`.
    private func waiting(_ step: PlanStep, at date: Date, until start: Date, current: Opening?, needsAllow: Bool) -> Admission {
        let estimate = Self.seconds(step.estimateSeconds)
        let active = calendar.active(at: date)
        let cause: String
        if let deny = active.first(where: { $0.kind == .deny }) {
            cause = "deny window \(deny.name) is open until \(AdmissionReason.instant(deny.end))"
        } else if let current {
            let left = AdmissionReason.duration(current.end.timeIntervalSince(date))
            let closing = denyOpening(at: current.end).map { "deny window \($0.name) opens" }
                ?? "\(AdmissionReason.windows(current.windows)) closes"
            cause = "it needs \(AdmissionReason.duration(estimate)) but \(closing) at \(AdmissionReason.instant(current.end)), in \(left)"
        } else {
            cause = "it needs an allow window and none is open"
        }
        let window = needsAllow
            ? calendar.active(at: start).filter { $0.kind == .allow && $0.start == start }
                .min { ($1.end, $0.name) < ($0.end, $1.name) }
            : nil
        let when: String
        if let window {
            when = ", when allow window \(window.name) opens"
        } else if let deny = denyClosing(at: start) {
            when = ", when deny window \(deny.name) closes"
        } else {
            when = ""
        }
        let reason = "\(AdmissionReason.describe(step)) waits: \(cause); it can start at \(AdmissionReason.instant(start))\(when)."
        return .wait(until: start, window: window, reason: reason)
    }

    /// Why `step` fits nowhere within the search horizon.
    private func neverFits(_ step: PlanStep, longest: Opening?, needsAllow: Bool) -> String {
        let what = AdmissionReason.describe(step)
        let span = AdmissionReason.searchSpan(Self.searchDays)
        let needs = AdmissionReason.duration(Self.seconds(step.estimateSeconds))
        switch (longest, needsAllow) {
        case (nil, true):
            return "\(what) needs an allow window, but none is open \(span) outside deny windows."
        case (nil, false):
            return "\(what) cannot start: deny windows leave no free time \(span)."
        case (let longest?, true):
            let lasts = AdmissionReason.duration(longest.length)
            return "\(what) needs \(needs), but \(AdmissionReason.windows(longest.windows)) lasts at most \(lasts) \(span); "
                + "lengthen the window or shorten the step."
        case (let longest?, false):
            return "\(what) needs \(needs), but the longest time between deny windows \(span) is \(AdmissionReason.duration(longest.length))."
        }
    }

    /// A deny occurrence that opens at `date`, if any.
    private func denyOpening(at date: Date) -> WindowOccurrence? {
        calendar.active(at: date).first { $0.kind == .deny && $0.start == date }
    }

    /// A deny occurrence that closes at `date`, if any.
    private func denyClosing(at date: Date) -> WindowOccurrence? {
        calendar.active(at: date.addingTimeInterval(-0.5)).first { $0.kind == .deny && $0.end == date }
    }
}
