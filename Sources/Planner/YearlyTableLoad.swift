import PostgresSyntax
import WardenModel

/// The SQL that builds a yearly table (DESIGN.md §1: `<schema>.<template>_YYYY`, never rewritten once
/// built) so that a crash loses at most a month of loading and a re-run resumes where it stopped.
///
/// The table is built as `<name>__shadow`. Each month is one `DO` block, so one transaction: it inserts
/// the days after the last loaded one and records the new last day in the shadow's comment
/// (`warden: spec=… revision=… loaded=YYYY-MM-DD`), where the catalog reads it back. A block that runs
/// twice inserts nothing the second time. The last block checks the whole year is loaded, renames the
/// shadow to its final name, creates the template's indexes and writes the final stamp, in one
/// transaction: a yearly table under its final name is always complete.
enum YearlyTableLoad {
    /// Where one day of the year comes from.
    enum Source: Hashable {
        /// Copied from the day's daily view, which matches the desired spec (a rollover).
        case dailyView(QualifiedName)
        /// Read from the tenant's database through dblink, as the seed's
        /// `_wh.create_yearly_table_by_template` does (a backfill, or a day without a usable daily view).
        case source
    }

    /// The comment field that records the last loaded day of a shadow.
    static let loadedField = "loaded="

    /// The last day a shadow's comment says is loaded, if any.
    static func loadedThrough(_ comment: String?) -> Day? {
        guard let comment else { return nil }
        for field in comment.split(separator: " ") where field.hasPrefix(loadedField) {
            return Day(field.dropFirst(loadedField.count))
        }
        return nil
    }

    /// A yearly table's column list: the template's columns with their defaults and `NOT NULL`, as the
    /// `ADD COLUMN`s of a column change leave them, so a table built now looks like one built long ago.
    static func columnList(_ template: Template) -> String {
        template.columns.map { column in
            var text = "\(SQL.identifier(column.name)) \(column.type.name)"
            if let value = column.defaultValue { text += " DEFAULT \(SQL.quoteLiteral(value))" }
            if column.notNull { text += " NOT NULL" }
            return text
        }.joined(separator: ", ")
    }

    /// Creates the shadow with its first stamp (nothing loaded), unless it or the finished table exists.
    static func createShadow(_ shadow: QualifiedName, final: QualifiedName, template: Template, stamp: ObjectStamp) -> String {
        doBlock("""
            BEGIN
                IF to_regclass(\(regclass(shadow))) IS NULL AND to_regclass(\(regclass(final))) IS NULL THEN
                    CREATE TABLE \(shadow) (\(columnList(template)));
                    COMMENT ON TABLE \(shadow) IS \(SQL.quoteLiteral(stamp.description));
                END IF;
            END
            """)
    }

    /// Loads the days of one month that are not loaded yet, and records the month's last day as loaded.
    static func loadDays(
        _ days: [(day: Day, source: Source)], into shadow: QualifiedName, final: QualifiedName, template: Template,
        connection: String, stamp: ObjectStamp
    ) -> String {
        guard let first = days.first?.day, let last = days.last?.day else { return "" }
        let columns = template.columns.map { SQL.identifier($0.name) }.joined(separator: ", ")
        let readsSource = days.contains { $0.source == .source }
        var body = """
            #variable_conflict use_column
            DECLARE
                warden_loaded date := \(loadedExpression(shadow, default: first.previous));
                warden_opened boolean := false;
            BEGIN
                IF to_regclass(\(regclass(shadow))) IS NULL THEN
                    IF to_regclass(\(regclass(final))) IS NOT NULL THEN RETURN; END IF;
                    RAISE EXCEPTION '% is missing', \(SQL.quoteLiteral(shadow.description));
                END IF;
                IF warden_loaded >= DATE '\(last)' THEN RETURN; END IF;

            """
        if readsSource {
            // One connection for the month, named after the foreign server as the seed's functions do:
            // dblink('<server>', …) then reuses it.
            let name = SQL.quoteLiteral(connection)
            body += """
                    IF NOT (\(name) = ANY (coalesce(dblink_get_connections(), '{}'::text[]))) THEN
                        PERFORM dblink_connect(\(name), \(name));
                        warden_opened := true;
                    END IF;

                """
        }
        for (day, source) in days {
            let select: String
            switch source {
            case .dailyView(let view):
                select = "SELECT \(columns) FROM \(view)"
            case .source:
                select = "SELECT \(columns) FROM dblink(\(SQL.quoteLiteral(connection)), "
                    + "\(SQL.dollarQuote(template.renderedQuery(for: day)))) AS t(\(template.columnDefinitions))"
            }
            body += """
                    IF warden_loaded < DATE '\(day)' THEN
                        INSERT INTO \(shadow) (\(columns)) \(select);
                    END IF;

                """
        }
        body += "    COMMENT ON TABLE \(shadow) IS \(SQL.quoteLiteral(stamp.description + " " + loadedField + last.description));\n"
        if readsSource {
            body += "    IF warden_opened THEN PERFORM dblink_disconnect(\(SQL.quoteLiteral(connection))); END IF;\n"
        }
        body += "END"
        return doBlock(body)
    }

    /// Checks the whole year is loaded, renames the shadow, creates the indexes, stamps and hands the
    /// table to its owner, in one transaction; does nothing if it already ran.
    static func finish(
        _ shadow: QualifiedName, final: QualifiedName, year: Int, template: Template, stamp: ObjectStamp, owner: String?,
        indexName: (IndexSpec) -> String
    ) -> String {
        var body = """
            BEGIN
                IF to_regclass(\(regclass(shadow))) IS NULL AND to_regclass(\(regclass(final))) IS NOT NULL THEN RETURN; END IF;
                IF \(loadedExpression(shadow, default: nil)) IS DISTINCT FROM DATE '\(year)-12-31' THEN
                    RAISE EXCEPTION '% is not fully loaded', \(SQL.quoteLiteral(shadow.description));
                END IF;
                ALTER TABLE \(shadow) RENAME TO \(SQL.identifier(final.name));

            """
        for spec in template.indexes {
            let name = indexName(spec)
            body += "    " + WarehouseDDL.createIndex(spec, named: name, on: final, concurrently: false) + ";\n"
        }
        body += "    COMMENT ON TABLE \(final) IS \(SQL.quoteLiteral(stamp.description));\n"
        if let owner { body += "    ALTER TABLE \(final) OWNER TO \(SQL.identifier(owner));\n" }
        body += "END"
        return doBlock(body)
    }

    /// `coalesce(<the shadow's loaded day>, <default>)`, read from its comment.
    private static func loadedExpression(_ shadow: QualifiedName, default fallback: Day?) -> String {
        let read = "substring(obj_description(to_regclass(\(regclass(shadow))), 'pg_class') "
            + "FROM '\(loadedField)([0-9]{4}-[0-9]{2}-[0-9]{2})')::date"
        guard let fallback else { return read }
        return "coalesce(\(read), DATE '\(fallback)')"
    }

    /// A relation name as a `to_regclass` argument.
    private static func regclass(_ name: QualifiedName) -> String { SQL.quoteLiteral(name.description) }

    /// `DO $warden$ … $warden$`, with a tag the body does not contain.
    private static func doBlock(_ body: String) -> String {
        "DO " + SQL.dollarQuote("\n" + body + "\n", preferredTag: "warden")
    }
}
