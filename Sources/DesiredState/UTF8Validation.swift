/// Checks that a file is UTF-8 before anything reads it, and says where it is not.
enum UTF8Validation {
    /// The file's text without a byte-order mark (editors on Windows write one; YAML and PostgreSQL
    /// would read it as a character), or `nil` after reporting the first byte that is not UTF-8.
    static func text(of source: SourceFile, diagnostics: inout DiagnosticList) -> String? {
        if var text = source.text {
            if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
            return text
        }
        let offset = firstInvalidByte(in: source.contents) ?? 0
        let byte = source.contents.indices.contains(offset) ? source.contents[offset] : 0
        let hex = String(byte, radix: 16, uppercase: true)
        diagnostics.error(
            "the file is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) here); save it as UTF-8",
            file: source.path, at: SourcePosition.of(byteOffset: offset, in: source.contents))
        return nil
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or `nil`.
    static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .error:
                return offset
            case .emptyInput:
                return nil
            }
        }
    }
}
