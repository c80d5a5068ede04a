/// A forward reader over UTF-8 bytes, for the compact text the bulk queries return
/// (`12,23,-1,0,1,5:store;…`, int2vectors, node trees): no `Substring` or `String` per field, which at
/// hundreds of thousands of catalog rows is most of the client's time.
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }
    var remaining: Int { bytes.count - position }

    /// The next byte, without consuming it.
    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Consumes `byte` if it is next.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Consumes `literal` if it comes next.
    mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard remaining >= count else { return false }
        let base = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != base[offset] { return false }
        position += count
        return true
    }

    /// Consumes `literal` if it comes next.
    mutating func skip(_ literal: [UInt8]) -> Bool {
        guard remaining >= literal.count else { return false }
        for offset in literal.indices where bytes[position + offset] != literal[offset] { return false }
        position += literal.count
        return true
    }

    /// A signed decimal integer that fits in 64 bits.
    mutating func integer() -> Int? {
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let start = position
        var magnitude: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            guard byte >= 48 && byte <= 57 else { break }
            let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(byte - 48))
            guard !overflow, !carry else { return nil }
            magnitude = sum
            position += 1
        }
        guard position > start else { return nil }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }

    /// `count` bytes as a string (they must be valid UTF-8, as every catalog name is).
    mutating func string(count: Int) -> String? {
        guard count >= 0, remaining >= count else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return String(validating: slice, as: UTF8.self)
    }

    /// Space-separated integers up to the next `terminator` (consumed), as an int2vector or oidvector
    /// prints: `1 3`, `1978 1978`, or nothing.
    mutating func integerVector(until terminator: UInt8) -> [Int]? {
        var values: [Int] = []
        while true {
            if skip(terminator) { return values }
            if !values.isEmpty { guard skip(UInt8(ascii: " ")) else { return nil } }
            guard let value = integer() else { return nil }
            values.append(value)
        }
    }
}

extension String {
    /// Runs `body` over the string's UTF-8 bytes without copying a native string.
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        var copy = self
        return try copy.withUTF8(body)
    }
}
