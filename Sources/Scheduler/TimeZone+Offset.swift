import Foundation

extension TimeZone {
    /// The UTC offset in force at `instant`, in seconds.
    func offset(at instant: Int64) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }
}
