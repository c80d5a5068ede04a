import Foundation

/// Golden files: what people and machines read (plan text, drift table and Markdown, JSON), kept in
/// `Tests/Goldens/` and reviewed like code, so every change of output is a visible diff.
///
/// `WARDEN_UPDATE_GOLDENS=1 swift test --filter Golden` rewrites them from the current output; review
/// the diff with `git diff Tests/Goldens` before committing.
public enum Golden {
    /// The folder of the golden files.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Goldens")

    /// `nil` when `actual` is the golden file `name`; otherwise what differs, for the test's message.
    /// Rewrites the file instead when `WARDEN_UPDATE_GOLDENS` is set.
    public static func mismatch(_ actual: String, _ name: String) -> String? {
        let url = folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["WARDEN_UPDATE_GOLDENS"] != nil {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                return nil
            } catch {
                return "could not write \(url.path): \(error)"
            }
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "no golden file \(url.path); run WARDEN_UPDATE_GOLDENS=1 swift test --filter Golden, then review it"
        }
        guard expected != actual else { return nil }
        let want = expected.components(separatedBy: "\n")
        let got = actual.components(separatedBy: "\n")
        let line = Array(zip(want, got)).firstIndex { $0.0 != $0.1 } ?? min(want.count, got.count)
        return """
            \(name) differs from its golden file at line \(line + 1) \
            (run WARDEN_UPDATE_GOLDENS=1 swift test --filter Golden and review the diff):
              golden: \(line < want.count ? want[line] : "<end of file>")
              actual: \(line < got.count ? got[line] : "<end of file>")
            """
    }
}
