import Yams

/// A 1-based line and column in a file; columns count Unicode scalars, as libyaml's marks do.
struct SourcePosition: Hashable, Comparable, Sendable {
    var line: Int
    var column: Int

    /// Line 1, column 1: where problems of a whole file are reported.
    static let start = SourcePosition(line: 1, column: 1)

    init(line: Int, column: Int) {
        self.line = max(1, line)
        self.column = max(1, column)
    }

    /// The position of a Yams mark (already 1-based), or the file's start when there is none.
    init(_ mark: Mark?) {
        self.init(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The same line, `count` columns further right.
    func advanced(by count: Int) -> SourcePosition {
        SourcePosition(line: line, column: column + count)
    }

    /// The position of the Unicode scalar at `offset` (counted in scalars from the start of `text`).
    static func of(scalarOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == offset { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourcePosition(line: line, column: column)
    }

    /// The position of the byte at `offset` of UTF-8 `bytes` (valid at least up to that byte).
    static func of(byteOffset offset: Int, in bytes: [UInt8]) -> SourcePosition {
        let prefix = bytes[..<min(offset, bytes.count)]
        let text = String(decoding: prefix, as: UTF8.self)
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourcePosition(line: line, column: column)
    }

    static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
