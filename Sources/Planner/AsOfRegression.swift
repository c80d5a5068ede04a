import WardenModel

/// An as-of date earlier than what the warehouse has already built: a wrong `--as-of` or `--at`, or a
/// host clock that jumped back. Planning at it would replace every tenant view with the days before it
/// alone, so the public views would stop reading the newer days and yearly tables (they still exist,
/// but no view reads them). Never routine, never low risk: warden refuses it unless told that the
/// warehouse really should move back (`warden apply --allow-moving-back`); the controller never does.
///
/// An as-of year before `firstYear` is refused whatever the flag: no day and no yearly table would be
/// in any view.
public struct AsOfRegression: Sendable, Hashable, Codable {
    /// The as-of date of the plan.
    public var asOf: Day
    /// The newest day the warehouse has built: a daily view's day, or December 31 of a yearly table's year.
    public var newestBuilt: Day?
    /// Built daily views (every tenant and template) the views would stop reading.
    public var daysWithdrawn: Int
    /// Yearly tables the views would stop reading.
    public var yearlyTablesWithdrawn: Int
    /// `firstYear` of warehouse.yaml, when the as-of year is before it.
    public var firstYear: Int?

    /// Whether `--allow-moving-back` can let it run (not when the as-of year is before `firstYear`).
    public var overridable: Bool { firstYear == nil }

    /// One sentence: what is wrong, what applying would do, and the fix (`override` names the flag or
    /// setting that lets it run, e.g. `pass --allow-moving-back`).
    public func sentence(override: String?) -> String {
        if let firstYear {
            return "as-of \(asOf) is before firstYear \(firstYear) of warehouse.yaml: no day or yearly table would be in any view; "
                + "check the date (--as-of, --at or the host's clock), or lower firstYear"
        }
        var withdrawn: [String] = []
        if daysWithdrawn > 0 { withdrawn.append("\(daysWithdrawn) built daily view\(daysWithdrawn == 1 ? "" : "s")") }
        if yearlyTablesWithdrawn > 0 {
            withdrawn.append("\(yearlyTablesWithdrawn) yearly table\(yearlyTablesWithdrawn == 1 ? "" : "s")")
        }
        let newest = newestBuilt.map { " \($0), the newest day the warehouse has built" } ?? " what the warehouse has built"
        return "as-of \(asOf) is not after\(newest): applying would take \(withdrawn.joined(separator: " and ")) out of the views "
            + "(a wrong --as-of or --at, or a clock that went back); check the date"
            + (override.map { ", or \($0) if the warehouse really should move back" } ?? "")
    }

    /// The sentence of `warden plan` and `warden apply`, naming `--allow-moving-back` when it would help.
    public var refusal: String { sentence(override: overridable ? "pass --allow-moving-back" : nil) }

    /// Why it makes the plan high risk, for ``PlanSummary/riskReasons``.
    var riskReason: String {
        if let firstYear { return "the as-of year is before firstYear \(firstYear): the views would be empty" }
        return "the as-of date is not after the newest built day \(newestBuilt.map(String.init(describing:)) ?? "?"): built days leave the views"
    }

    /// The regression of planning `desired` over `live` at `asOf`, or `nil` when the as-of date is after
    /// everything built. Only final names count (not shadows or retired objects), in the desired tenants'
    /// schemas, for the desired templates.
    public static func detect(desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day) -> AsOfRegression? {
        let settings = desired.settings
        if asOf.year < settings.firstYear {
            return AsOfRegression(asOf: asOf, newestBuilt: nil, daysWithdrawn: 0, yearlyTablesWithdrawn: 0, firstYear: settings.firstYear)
        }
        let templates = Set(desired.templates.map(\.name))
        let schemas = Set(settings.tenants.map(\.schema))
        var newest: Day?
        var days = 0
        var years = 0
        for (name, relation) in live.relations where schemas.contains(name.schema) {
            switch ObjectNames.role(of: name.name, templates: templates) {
            case .dailyView(_, let day)? where relation.kind != .table && day >= asOf:
                days += 1
                newest = max(newest ?? day, day)
            case .yearlyTable(_, let year)? where relation.kind == .table && year >= asOf.year:
                years += 1
                let last = Day(year: year, month: 12, day: 31)!
                newest = max(newest ?? last, last)
            default:
                continue
            }
        }
        guard days + years > 0 else { return nil }
        return AsOfRegression(asOf: asOf, newestBuilt: newest, daysWithdrawn: days, yearlyTablesWithdrawn: years, firstYear: nil)
    }
}
