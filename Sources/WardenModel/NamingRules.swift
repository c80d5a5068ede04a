/// The identifier rules of the warehouse (DESIGN.md §1): what a template name and a tenant schema may be.
///
/// PostgreSQL truncates names to 63 bytes, and a template name becomes part of every daily view's name
/// (`<template>_YYYY_MM_DD`), so templates are limited to 40 characters.
public enum NamingRules {
    /// PostgreSQL's limit on identifier length, in bytes (NAMEDATALEN − 1).
    public static let maximumIdentifierBytes = 63
    /// The longest template name: room for `_YYYY_MM_DD` and index suffixes.
    public static let maximumTemplateNameLength = 40

    /// Why a template name is not acceptable, or `nil` if it is: `^[a-z][a-z0-9_]{0,39}$` without `__`.
    public static func problemWithTemplateName(_ name: String) -> String? {
        if name.isEmpty { return "a template name cannot be empty" }
        if name.count > maximumTemplateNameLength {
            return "template name '\(name.prefix(80))' is \(name.count) characters long; the limit is \(maximumTemplateNameLength)"
        }
        if !isLowerSnakeCase(name) {
            return "template name '\(name.prefix(80))' must start with a lower-case letter and contain only a-z, 0-9 and _"
        }
        if name.contains("__") { return "template name '\(name)' must not contain '__'" }
        return nil
    }

    /// Why a tenant schema name is not acceptable, or `nil`: `^[a-z][a-z0-9_]{0,62}$`, and never `public`,
    /// `_wh`, `pg_*` or `information_schema`.
    public static func problemWithTenantSchema(_ name: String) -> String? {
        if name.isEmpty { return "a tenant schema name cannot be empty" }
        if name.utf8.count > maximumIdentifierBytes {
            return "tenant schema '\(name.prefix(80))' is \(name.utf8.count) bytes long; PostgreSQL's limit is 63"
        }
        if !isLowerSnakeCase(name) {
            return "tenant schema '\(name.prefix(80))' must start with a lower-case letter and contain only a-z, 0-9 and _"
        }
        if reservedSchemas.contains(name) || name.hasPrefix("pg_") {
            return "tenant schema '\(name)' is reserved by PostgreSQL or warden; choose another name"
        }
        return nil
    }

    /// Schemas no tenant may use.
    public static let reservedSchemas: Set<String> = ["public", "_wh", "information_schema"]

    private static func isLowerSnakeCase(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 97, first <= 122 else { return false }
        return name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") }
    }
}
