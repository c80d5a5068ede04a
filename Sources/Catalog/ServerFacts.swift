/// What the reader needs to know about the server before reading the warehouse.
struct ServerFacts: Sendable {
    /// `server_version_num`.
    var version = 0
    /// `block_size`: bytes per page.
    var blockSize: Int64 = 8192
    /// Quoting as the server's deparser does it.
    var quoting = ServerQuoting(keywords: [], quoteAllIdentifiers: false, standardConformingStrings: true)
    /// Whether `_wh.mv_templates` exists.
    var hasRegistry = false
    /// The `dblink(text, text)` that daily views call, when there is exactly one.
    var dblink: DailyViewRule.DblinkFunction?
}
