/// warden's stamp on an object it built, kept in the object's comment: the hash of the spec that built
/// it and the revision it came from.
///
/// The catalog is the journal (DESIGN.md §3): after a crash, the next run reads the stamps to see which
/// shadows are complete and which objects already match the desired spec, with no memory of its own.
public struct ObjectStamp: Sendable, Hashable, Codable, CustomStringConvertible {
    /// ``SpecHash`` of the spec the object was built from.
    public var specHash: String
    /// The commit it was built at, when known.
    public var revision: String?

    public init(specHash: String, revision: String? = nil) {
        self.specHash = specHash
        self.revision = revision
    }

    static let prefix = "warden:"

    /// `warden: spec=0123456789abcdef revision=abc123`: the comment warden writes.
    public var description: String {
        var text = "\(Self.prefix) spec=\(specHash)"
        if let revision { text += " revision=\(revision)" }
        return text
    }

    /// Reads a comment; `nil` if warden did not write it.
    public init?(comment: String) {
        guard comment.hasPrefix(Self.prefix) else { return nil }
        var spec: String?
        var revision: String?
        for field in comment.dropFirst(Self.prefix.count).split(separator: " ") {
            if field.hasPrefix("spec=") { spec = String(field.dropFirst(5)) }
            if field.hasPrefix("revision=") { revision = String(field.dropFirst(9)) }
        }
        guard let spec, !spec.isEmpty else { return nil }
        self.specHash = spec
        self.revision = revision
    }
}

/// A stable 64-bit FNV-1a hash of a spec's canonical text, as 16 hex digits.
///
/// Not cryptographic: it tells "built from this spec" from "built from another", nothing more.
public enum SpecHash {
    public static func of(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, part) in parts.enumerated() {
            if index > 0 {
                hash ^= 0x1f
                hash = hash &* 0x0000_0100_0000_01b3
            }
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
