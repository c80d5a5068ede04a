/// Checks a 5-field cron schedule (minute hour day-of-month month day-of-week), the syntax of Argo CD's
/// sync windows: numbers, `*`, lists (`1,15`), ranges (`1-5`), steps (`*/15`, `0-30/10`), and the
/// names `JAN`–`DEC` and `SUN`–`SAT`. Day of week 7 is Sunday, as in cron.
enum CronSyntax {
    /// What is wrong and where: `offset` counts Unicode scalars from the start of the schedule.
    struct Problem: Equatable {
        var offset: Int
        /// The first half of a sentence, e.g. "minute 61 is out of range; use 0-59".
        var message: String
    }

    struct Field {
        var name: String
        var range: ClosedRange<Int>
        /// Names for values, starting at `range.lowerBound` (`JAN` is 1, `SUN` is 0).
        var names: [String]
    }

    static let fields = [
        Field(name: "minute", range: 0...59, names: []),
        Field(name: "hour", range: 0...23, names: []),
        Field(name: "day of month", range: 1...31, names: []),
        Field(name: "month", range: 1...12,
              names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        Field(name: "day of week", range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ]

    /// The first problem of `schedule`, or `nil` when it is a valid 5-field cron expression.
    static func problem(in schedule: String) -> Problem? {
        let scalars = Array(schedule.unicodeScalars)
        var tokens: [(text: String, offset: Int)] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == " " || scalars[index] == "\t" {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, scalars[index] != " ", scalars[index] != "\t" { index += 1 }
            tokens.append((String(String.UnicodeScalarView(scalars[start..<index])), start))
        }
        if tokens.isEmpty {
            return Problem(offset: 0, message: "is empty; write 5 fields: minute hour day-of-month month day-of-week")
        }
        if tokens.count != fields.count {
            let macro = tokens.count == 1 && tokens[0].text.hasPrefix("@")
            return Problem(
                offset: 0,
                message: macro
                    ? "uses \(MessageText.quoted(tokens[0].text)), which warden does not read; write 5 fields: minute hour day-of-month month day-of-week"
                    : "has \(tokens.count) fields; write 5: minute hour day-of-month month day-of-week")
        }
        for (token, field) in zip(tokens, fields) {
            if let problem = problem(inField: token.text, field) {
                return Problem(offset: token.offset + problem.offset, message: problem.message)
            }
        }
        return nil
    }

    /// The first problem of one field; offsets are relative to the field.
    private static func problem(inField text: String, _ field: Field) -> Problem? {
        var offset = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let problem = problem(inItem: String(item), field) {
                return Problem(offset: offset + problem.offset, message: problem.message)
            }
            offset += item.unicodeScalars.count + 1
        }
        return nil
    }

    /// `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n`.
    private static func problem(inItem item: String, _ field: Field) -> Problem? {
        if item.isEmpty {
            return Problem(offset: 0, message: "has an empty item in its \(field.name) list; remove the extra comma")
        }
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        if parts.count == 2 {
            let stepOffset = base.unicodeScalars.count + 1
            guard let step = Int(parts[1]), parts[1].allSatisfy(\.isASCII) else {
                return Problem(offset: stepOffset, message: "has step \(MessageText.quoted(String(parts[1]))) in its \(field.name) field, which is not a number; write e.g. */15")
            }
            if step < 1 || step > field.range.upperBound {
                return Problem(offset: stepOffset, message: "has step \(step) in its \(field.name) field; use 1-\(field.range.upperBound)")
            }
        }
        if base == "*" { return nil }
        let bounds = base.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        var values: [Int] = []
        var offset = 0
        for bound in bounds {
            switch value(String(bound), field) {
            case .success(let number): values.append(number)
            case .failure(let problem): return Problem(offset: offset, message: problem.message)
            }
            offset += bound.unicodeScalars.count + 1
        }
        if values.count == 2, values[0] > values[1] {
            return Problem(offset: 0, message: "has the range \(base) in its \(field.name) field, which runs backwards; write \(bounds[1])-\(bounds[0])")
        }
        return nil
    }

    private struct ValueProblem: Error { var message: String }

    /// A number in range, or a name of the field.
    private static func value(_ text: String, _ field: Field) -> Result<Int, ValueProblem> {
        let expected = field.names.isEmpty
            ? "\(field.range.lowerBound)-\(field.range.upperBound)"
            : "\(field.range.lowerBound)-\(field.range.upperBound) or \(field.names.first!)-\(field.names.last!)"
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let number = Int(text), field.range.contains(number) else {
                return .failure(ValueProblem(message: "has \(field.name) \(text), which is out of range; use \(expected)"))
            }
            return .success(number)
        }
        if let index = field.names.firstIndex(of: text.uppercased()) {
            return .success(field.range.lowerBound + index)
        }
        if text.isEmpty {
            return .failure(ValueProblem(message: "has an incomplete range in its \(field.name) field; write e.g. 1-5"))
        }
        return .failure(ValueProblem(message: "has \(field.name) \(MessageText.quoted(text)), which is not \(expected); fix it"))
    }
}
