/// One of the five fields of a cron schedule, and how to read it: numbers, `*`, lists (`1,15`), ranges
/// (`1-5`), steps (`*/15`, `0-30/10`, `5/20` = `5-59/20`) and, for months and days of the week, the
/// names `JAN`–`DEC` and `SUN`–`SAT` in any case. The same syntax the loader checks (`CronSyntax` in
/// DesiredState), read here into sets of values.
struct CronField: Sendable {
    var name: String
    var range: ClosedRange<Int>
    /// Names for values, starting at `range.lowerBound` (`JAN` is 1, `SUN` is 0).
    var names: [String]

    static let minute = CronField(name: "minute", range: 0...59, names: [])
    static let hour = CronField(name: "hour", range: 0...23, names: [])
    static let dayOfMonth = CronField(name: "day of month", range: 1...31, names: [])
    static let month = CronField(
        name: "month", range: 1...12,
        names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
    /// 0 and 7 are both Sunday.
    static let dayOfWeek = CronField(
        name: "day of week", range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])

    /// The fields in the order they are written.
    static let all = [minute, hour, dayOfMonth, month, dayOfWeek]

    /// The values `text` selects, as a bit set (bit `n` set when `n` is selected).
    func values(of text: String, in expression: String) throws(SchedulerError) -> UInt64 {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try values(ofItem: String(item), in: expression)
        }
        return bits
    }

    /// `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n`.
    private func values(ofItem item: String, in expression: String) throws(SchedulerError) -> UInt64 {
        if item.isEmpty { throw problem("has an empty item in its \(name) list; remove the extra comma", in: expression) }
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        var step = 1
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(parts[1]) else {
                throw problem("has step \"\(parts[1])\" in its \(name) field, which is not a number; write e.g. */15", in: expression)
            }
            guard (1...range.upperBound).contains(number) else {
                throw problem("has step \(number) in its \(name) field; use 1-\(range.upperBound)", in: expression)
            }
            step = number
        }
        let bounds: ClosedRange<Int>
        if base == "*" {
            bounds = range
        } else {
            let ends = base.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let low = try value(of: String(ends[0]), in: expression)
            let high = ends.count == 2 ? try value(of: String(ends[1]), in: expression)
                : parts.count == 2 ? range.upperBound : low
            guard low <= high else {
                throw problem("has the range \(base) in its \(name) field, which runs backwards; write \(ends[1])-\(ends[0])", in: expression)
            }
            bounds = low...high
        }
        var bits: UInt64 = 0
        for value in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) { bits |= 1 << UInt64(value) }
        return bits
    }

    /// A number in range, or a name of the field.
    private func value(of text: String, in expression: String) throws(SchedulerError) -> Int {
        let expected = names.isEmpty
            ? "\(range.lowerBound)-\(range.upperBound)"
            : "\(range.lowerBound)-\(range.upperBound) or \(names.first!)-\(names.last!)"
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let number = Int(text), range.contains(number) else {
                throw problem("has \(name) \(text), which is out of range; use \(expected)", in: expression)
            }
            return number
        }
        if let index = names.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
        if text.isEmpty { throw problem("has an incomplete range in its \(name) field; write e.g. 1-5", in: expression) }
        throw problem("has \(name) \"\(text)\", which is not \(expected); fix it", in: expression)
    }

    private func problem(_ message: String, in expression: String) -> SchedulerError {
        SchedulerError(code: .invalidSchedule, window: nil, field: name, message: "cron schedule \"\(expression)\" \(message)")
    }
}
