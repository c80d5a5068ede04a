/// A column as the bulk query returns it, before its type is named.
struct RawColumn: Sendable, Hashable {
    var number: Int
    var typeOID: UInt32
    var typmod: Int32
    var collation: UInt32
    var notNull: Bool
    var hasDefault: Bool
    var name: String

    /// Unpacks one list of ``CatalogSQL/columns``: names, `attnum << 48 | typid << 16 | flags` and
    /// `typmod << 32 | collation` (as `int8` array texts), sorted by attribute number.
    static func unpack(names: [String], numbers: String, modifiers: String) -> [RawColumn]? {
        guard let numbers = integers(numbers), let modifiers = integers(modifiers), numbers.count == names.count,
              modifiers.count == names.count
        else { return nil }
        var out: [RawColumn] = []
        out.reserveCapacity(names.count)
        for (index, name) in names.enumerated() {
            let packed = numbers[index]
            let extra = modifiers[index]
            out.append(RawColumn(
                number: packed >> 48, typeOID: UInt32(truncatingIfNeeded: (packed >> 16) & 0xFFFF_FFFF),
                typmod: Int32(truncatingIfNeeded: extra >> 32), collation: UInt32(truncatingIfNeeded: extra & 0xFFFF_FFFF),
                notNull: packed & 1 != 0, hasDefault: packed & 2 != 0, name: name))
        }
        if zip(out, out.dropFirst()).contains(where: { $0.number > $1.number }) { out.sort { $0.number < $1.number } }
        return out
    }

    /// `{1,-2,3}` → `[1, -2, 3]`.
    static func integers(_ text: String) -> [Int]? {
        text.withBytes { buffer -> [Int]? in
            var cursor = ByteCursor(buffer)
            guard cursor.skip(UInt8(ascii: "{")) else { return nil }
            var values: [Int] = []
            if cursor.skip(UInt8(ascii: "}")) { return cursor.atEnd ? values : nil }
            while true {
                guard let value = cursor.integer() else { return nil }
                values.append(value)
                if cursor.skip(UInt8(ascii: "}")) { return cursor.atEnd ? values : nil }
                guard cursor.skip(UInt8(ascii: ",")) else { return nil }
            }
        }
    }

    /// The type as ``CatalogSQL/typeNames`` names it.
    var typeKey: TypeKey { TypeKey(type: typeOID, typmod: typmod) }

    struct TypeKey: Hashable, Sendable {
        var type: UInt32
        var typmod: Int32
    }
}
