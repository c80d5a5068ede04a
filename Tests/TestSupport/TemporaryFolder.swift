import Foundation

/// A folder under the system's temporary folder, removed by ``remove()``.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init(_ prefix: String = "warden-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: created)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
