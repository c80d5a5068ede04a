/// An error of the scheduling stage: a maintenance window the scheduler cannot read.
///
/// The loader reports the same problems with a `file:line:column` position (DESIGN.md §2); this error
/// is for callers that build windows themselves, and names the window and the field instead.
public struct SchedulerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The cron schedule does not parse.
        case invalidSchedule
        /// The duration is zero or negative.
        case invalidDuration
        /// The time zone is not an IANA zone this machine knows.
        case unknownTimeZone
    }

    /// What went wrong.
    public var code: Code
    /// The window concerned, or `nil` for a schedule parsed on its own.
    public var window: String?
    /// The field at fault: a cron field (`minute`, `day of week`…) or a window key (`schedule`, `duration`,
    /// `timeZone`).
    public var field: String
    /// One sentence with the object and the fix.
    public var message: String

    /// An error.
    public init(code: Code, window: String?, field: String, message: String) {
        self.code = code
        self.window = window
        self.field = field
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
