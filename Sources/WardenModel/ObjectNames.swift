/// The names of the warehouse's objects (DESIGN.md §1) and how to read them back.
///
/// - daily view: `<schema>.<template>_YYYY_MM_DD`
/// - yearly table: `<schema>.<template>_YYYY`
/// - tenant union view: `<schema>.<template>`
/// - public view: `<publicSchema>.<template>`
///
/// Template names cannot contain `__`, so warden's temporary objects use it: a shadow being built is
/// `<name>__shadow`, an object swapped out and waiting for cleanup is `<name>__retired`.
public enum ObjectNames {
    public static let shadowSuffix = "__shadow"
    public static let retiredSuffix = "__retired"

    public static func dailyView(_ template: String, _ day: Day) -> String { "\(template)_\(day.nameSuffix)" }
    public static func yearlyTable(_ template: String, _ year: Int) -> String { "\(template)_\(year)" }
    public static func shadow(_ name: String) -> String { name + shadowSuffix }
    public static func retired(_ name: String) -> String { name + retiredSuffix }

    /// What a relation name is, relative to the templates it could belong to.
    public enum Role: Sendable, Hashable {
        case dailyView(template: String, day: Day)
        case yearlyTable(template: String, year: Int)
        case unionView(template: String)
        /// A warden shadow or retired object, with the name it stands for.
        case leftover(of: String, suffix: String)
    }

    /// Reads a relation name; `nil` if it belongs to none of `templates`.
    public static func role(of name: String, templates: Set<String>) -> Role? {
        for suffix in [shadowSuffix, retiredSuffix] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            return role(of: base, templates: templates) == nil ? nil : .leftover(of: base, suffix: suffix)
        }
        if templates.contains(name) { return .unionView(template: name) }
        let utf8 = Array(name.utf8)
        // _YYYY_MM_DD
        if utf8.count > 11, utf8[utf8.count - 11] == UInt8(ascii: "_") {
            let template = String(decoding: utf8[..<(utf8.count - 11)], as: UTF8.self)
            let suffix = String(decoding: utf8[(utf8.count - 10)...], as: UTF8.self)
            if templates.contains(template), let day = Day(suffix.replacing("_", with: "-")),
               day.nameSuffix == suffix {
                return .dailyView(template: template, day: day)
            }
        }
        // _YYYY
        if utf8.count > 5, utf8[utf8.count - 5] == UInt8(ascii: "_") {
            let template = String(decoding: utf8[..<(utf8.count - 5)], as: UTF8.self)
            let digits = utf8[(utf8.count - 4)...]
            if templates.contains(template), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
               let year = Int(String(decoding: digits, as: UTF8.self)) {
                return .yearlyTable(template: template, year: year)
            }
        }
        return nil
    }
}
