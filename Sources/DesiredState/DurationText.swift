/// Durations as the format writes them: `4h`, `30m`, `96h`, `1h30m`, `2s`, `500ms`, `1d`.
///
/// Public so the controller configuration spells durations exactly as the schema repository does.
public enum DurationText {
    /// Why a text is not a duration.
    public enum Problem: Error, Equatable, Sendable {
        case empty
        case missingUnit
        case unknownUnit(String)
        case malformed
        case tooLong
    }

    /// Milliseconds in each unit.
    public static let units: [String: Int] = ["ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// The signed length in milliseconds: `-4h` is −14,400,000.
    public static func milliseconds(_ text: String) -> Result<Int, Problem> {
        var scalars = Array(text.trimmingSpaces.unicodeScalars)
        if scalars.isEmpty { return .failure(.empty) }
        var sign = 1
        if scalars[0] == "-" || scalars[0] == "+" {
            sign = scalars[0] == "-" ? -1 : 1
            scalars.removeFirst()
        }
        if scalars.isEmpty { return .failure(.malformed) }
        var total = 0
        var index = 0
        while index < scalars.count {
            let digitsStart = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            guard index > digitsStart else { return .failure(.malformed) }
            guard let amount = Int(String(String.UnicodeScalarView(scalars[digitsStart..<index]))) else {
                return .failure(.tooLong)
            }
            let unitStart = index
            while index < scalars.count, !("0"..."9").contains(scalars[index]) { index += 1 }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            if unit.isEmpty { return .failure(.missingUnit) }
            if unit.unicodeScalars.contains(where: { $0.properties.isWhitespace }) { return .failure(.malformed) }
            guard let size = units[unit] else { return .failure(.unknownUnit(unit)) }
            let (product, overflow) = amount.multipliedReportingOverflow(by: size)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            if overflow || overflow2 { return .failure(.tooLong) }
            total = sum
        }
        return .success(sign * total)
    }

    /// The shortest spelling of whole seconds: `96h`, `1h30m`, `45s`.
    public static func render(seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var rest = abs(seconds)
        var out = seconds < 0 ? "-" : ""
        for (unit, size) in [("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// `2s` when whole seconds, else `500ms`.
    public static func render(milliseconds: Int) -> String {
        milliseconds % 1_000 == 0 ? render(seconds: milliseconds / 1_000) : "\(milliseconds)ms"
    }
}
