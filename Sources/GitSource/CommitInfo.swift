import Foundation

/// The metadata of one commit, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable, Codable {
    /// The full commit id: 40 lowercase hexadecimal digits.
    public var id: String
    /// The author's name as recorded in the commit.
    public var authorName: String
    /// The author's e-mail address as recorded in the commit.
    public var authorEmail: String
    /// When the commit was made: the committer time recorded in the commit (what `git log --format=%ct`
    /// prints), never the local clock.
    public var time: Date
    /// The full commit message, without trailing newlines.
    public var message: String

    /// Creates commit metadata.
    public init(id: String, authorName: String, authorEmail: String, time: Date, message: String) {
        self.id = id
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.time = time
        self.message = message
    }

    /// The first line of ``message``.
    public var summary: String {
        String(message.prefix { $0 != "\n" && $0 != "\r\n" })
    }

    /// The first seven digits of ``id``, as `git log --oneline` shows it.
    public var shortID: String { String(id.prefix(7)) }
}
