import Foundation

/// The union of several windows' occurrences as ascending, disjoint openings; occurrences that overlap
/// or touch make one opening, so a step may run across the seam of two back-to-back allow windows.
struct OpeningUnion: IteratorProtocol {
    private var streams: [OccurrenceStream]
    private var heads: [WindowOccurrence?]

    init(_ streams: [OccurrenceStream]) {
        self.streams = streams
        heads = []
        for index in self.streams.indices { heads.append(self.streams[index].next()) }
    }

    mutating func next() -> Opening? {
        guard let first = popEarliest(startingBy: nil) else { return nil }
        var opening = Opening(start: first.start, end: first.end, windows: [first.name])
        while let occurrence = popEarliest(startingBy: opening.end) {
            opening.end = max(opening.end, occurrence.end)
            if !opening.windows.contains(occurrence.name) { opening.windows.append(occurrence.name) }
        }
        return opening
    }

    /// Takes the occurrence with the earliest start among the streams, if it starts by `bound`.
    private mutating func popEarliest(startingBy bound: Date?) -> WindowOccurrence? {
        var best: Int?
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            if let current = best, let other = heads[current], !WindowOccurrence.precedes(head, other) { continue }
            best = index
        }
        guard let index = best, let occurrence = heads[index] else { return nil }
        if let bound, occurrence.start > bound { return nil }
        heads[index] = streams[index].next()
        return occurrence
    }
}
