import Foundation

/// A stretch of time `[start, end)` and the windows that make it: a union of overlapping or touching
/// occurrences, or what is left of one once deny windows are taken out.
struct Opening: Hashable {
    var start: Date
    var end: Date
    /// The names of the windows that make it, in the order they open, without repeats.
    var windows: [String]

    /// Stands for "no end within the search": the time after the last deny window.
    static let unbounded = Date.distantFuture

    var length: TimeInterval { end.timeIntervalSince(start) }
}
