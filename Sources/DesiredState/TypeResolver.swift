import WardenModel

/// Turns a column's `type` spelling into PostgreSQL's canonical spelling: through the names a server
/// resolved when one is at hand, else through the built-in types warden knows offline.
struct TypeResolver {
    /// Spelling → canonical spelling, from the server (`format_type`); may be empty.
    let typeNames: [String: String]

    /// The canonical type, or `nil` when neither the server nor warden knows the spelling.
    func resolve(_ spelling: String) -> ColumnType? {
        if let canonical = typeNames[spelling] ?? typeNames[spelling.trimmingSpaces] {
            return ColumnType(canonical: canonical)
        }
        return ColumnType(spelling)
    }

    /// A close known spelling for a misspelled one (`integr` → `integer`), keeping its modifiers
    /// (`numerc(10,3)` → `numeric(10,3)`).
    func suggestion(for spelling: String) -> String? {
        var base = spelling.trimmingSpaces.lowercased()
        var suffix = ""
        if let open = base.firstIndex(of: "(") {
            suffix = String(base[open...])
            base = String(base[..<open]).trimmingSpaces
        }
        while base.hasSuffix("[]") {
            suffix = "[]" + suffix
            base = String(base.dropLast(2))
        }
        let candidates = ColumnType.builtInSpellings + typeNames.keys.sorted()
        guard let closest = NameSuggestion.closest(to: base, among: candidates) else { return nil }
        let suggested = closest + suffix
        return resolve(suggested) == nil ? nil : suggested
    }
}
