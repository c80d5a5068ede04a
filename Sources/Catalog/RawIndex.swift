/// One index as the bulk query returns it: its shape is an index into the shapes of the read.
struct RawIndex: Sendable {
    var oid: UInt32
    var table: UInt32
    var pages: Int64
    var name: String
    var shape: Int

    /// Parses the members of a shape (`table,index,pages,len:name;…`).
    static func parseMembers(_ text: String, shape: Int, into out: inout [RawIndex]) -> Bool {
        text.withBytes { buffer -> Bool in
            var cursor = ByteCursor(buffer)
            let comma = UInt8(ascii: ",")
            var first = true
            while !cursor.atEnd {
                if !first { guard cursor.skip(UInt8(ascii: ";")) else { return false } }
                first = false
                guard let table = cursor.integer(), cursor.skip(comma), let oid = cursor.integer(), cursor.skip(comma),
                      let pages = cursor.integer(), cursor.skip(comma), let length = cursor.integer(),
                      cursor.skip(UInt8(ascii: ":")), let name = cursor.string(count: length)
                else { return false }
                out.append(RawIndex(
                    oid: UInt32(truncatingIfNeeded: oid), table: UInt32(truncatingIfNeeded: table), pages: Int64(pages),
                    name: name, shape: shape))
            }
            return true
        }
    }
}
