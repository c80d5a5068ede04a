import Foundation

/// The openings of `base` with those of `cut` taken out, ascending: allow windows less deny windows, or
/// all time less deny windows. Both inputs must be ascending and disjoint.
struct OpeningDifference<Base: IteratorProtocol, Cut: IteratorProtocol>: IteratorProtocol
where Base.Element == Opening, Cut.Element == Opening {
    private var base: Base
    private var cut: Cut
    private var pendingBase: Opening?
    private var pendingCut: Opening?
    private var cutDone = false

    init(_ base: Base, minus cut: Cut) {
        self.base = base
        self.cut = cut
    }

    mutating func next() -> Opening? {
        while true {
            guard var piece = pendingBase ?? base.next() else { return nil }
            pendingBase = nil
            // Drop cuts that end before the piece starts.
            while !cutDone {
                if pendingCut == nil { pendingCut = cut.next() }
                guard let current = pendingCut else {
                    cutDone = true
                    break
                }
                if current.end > piece.start { break }
                pendingCut = nil
            }
            guard let current = pendingCut, current.start < piece.end else { return piece }
            if current.start > piece.start {
                let result = Opening(start: piece.start, end: current.start, windows: piece.windows)
                if current.end < piece.end {
                    piece.start = current.end
                    pendingBase = piece
                }
                return result
            }
            // The cut covers the piece's start: keep what follows it, if anything.
            if current.end < piece.end {
                piece.start = current.end
                pendingBase = piece
            }
        }
    }
}
