/// The bulk queries of a catalog read. Each returns one row per relation (or per schema, role, server)
/// with the many-per-relation details folded into one compact text field, because the client's cost is
/// per row and per field: 66,000 daily views with six columns and four indexes each are 66,000 rows
/// here, not 700,000.
///
/// Compact fields are `;`-separated items of `,`-separated numbers, ending in `<octet length>:<name>` so
/// that any name, quotes and semicolons included, reads back exactly. Every query of the first phase
/// takes the schemas' OIDs (`$1`) and none depends on another, so they can run on several connections
/// at once.
enum CatalogSQL {
    /// Server facts the reader renders with: version, block size, quoting settings, keywords, and the
    /// `dblink(text, text)` functions (`oid,visible,len:schema;…`).
    static let server = """
        SELECT current_setting('server_version_num')::int AS version,
               current_setting('block_size')::int AS block_size,
               current_setting('standard_conforming_strings') = 'on' AS standard_strings,
               current_setting('quote_all_identifiers') = 'on' AS quote_all,
               to_regclass('_wh.mv_templates') IS NOT NULL AS has_registry,
               ARRAY(SELECT word FROM pg_get_keywords() WHERE catcode <> 'U') AS keywords,
               (SELECT string_agg(p.oid || ',' || pg_function_is_visible(p.oid)::int || ','
                                  || octet_length(n.nspname) || ':' || n.nspname, ';')
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE p.proname = 'dblink' AND p.proargtypes = '25 25'::oidvector) AS dblink
        """

    /// Every role: owners and grantees are read as OIDs and named from this list.
    static let roles = "SELECT oid, rolname::text AS name FROM pg_roles"

    /// Schemas in scope (`$1`: names, or NULL for all), with owner and the roles holding USAGE (0 is
    /// PUBLIC); the owner's own privileges are left out, as ownership implies them.
    static let schemas = """
        SELECT n.oid, n.nspname::text AS name, n.nspowner AS owner,
               ARRAY(SELECT a.grantee::text FROM aclexplode(n.nspacl) a
                      WHERE a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner) AS usage
          FROM pg_namespace n
         WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
           AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
        """

    /// Tables, views and materialized views with comment, page counts (relation plus TOAST table;
    /// indexes are counted with the indexes) or their exact size on disk, and explicit privileges
    /// (`grantee:PRIVILEGE` each, grantee 0 for PUBLIC), except the owner's own.
    static func relations(exactSizes: Bool) -> String {
        let size = exactSizes
            ? "pg_total_relation_size(c.oid)"
            : "c.relpages::bigint + coalesce(t.relpages, 0)"
        return """
            SELECT c.oid, c.relnamespace AS namespace, c.relname::text AS name, c.relkind::text AS kind,
                   c.relowner AS owner, c.relispopulated AS populated, \(size) AS size, d.description AS comment,
                   CASE WHEN c.relacl IS NOT NULL
                        THEN ARRAY(SELECT a.grantee || ':' || a.privilege_type FROM aclexplode(c.relacl) a
                                    WHERE a.grantee <> c.relowner)
                   END AS privileges
              FROM pg_class c
              LEFT JOIN (SELECT oid, relpages FROM pg_class WHERE relkind = 't' OFFSET 0) t ON t.oid = c.reltoastrelid
              LEFT JOIN pg_description d
                     ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
             WHERE c.relkind IN ('r', 'v', 'm') AND c.relnamespace = ANY ($1::oid[])
            """
    }

    /// Columns, one row per distinct column list, with the relations that have exactly that list
    /// (`oid,oid,…`): every daily view of a template has the same list, so 66,000 views come back as a
    /// handful of rows. A list is its names (in physical order; the reader sorts by attnum) and two
    /// `int8` arrays packing the numbers without text conversions, which cost more than the rest of the
    /// query: `attnum << 48 | atttypid << 16 | flags` (1 not null, 2 has default) and
    /// `atttypmod << 32 | attcollation`. Each relation's columns come from an index scan of its own
    /// attributes, not from a scan of all of `pg_attribute` (most of which are indexes' and system
    /// columns).
    static let columns = """
        SELECT g.names, g.numbers, g.modifiers, string_agg(g.oid::text, ',') AS relations
          FROM (SELECT c.oid, x.names, x.numbers, x.modifiers
                  FROM pg_class c
                 CROSS JOIN LATERAL (
                       SELECT array_agg(a.attname) AS names,
                              array_agg((a.attnum::int8 << 48) | (a.atttypid::int8 << 16)
                                        | (a.attnotnull::int + 2 * a.atthasdef::int)) AS numbers,
                              array_agg((a.atttypmod::int8 << 32) | a.attcollation::int8) AS modifiers
                         FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) x
                 WHERE c.relkind IN ('r', 'v', 'm') AND c.relnamespace = ANY ($1::oid[])) g
         GROUP BY g.names, g.numbers, g.modifiers
        """

    /// Indexes, one row per distinct shape (access method, flags, key count and the `indkey`,
    /// `indclass`, `indoption`, `indcollation` vectors; flags 1 unique, 2 valid, 4 expressions, 8
    /// predicate, 16 nulls not distinct, 32 storage options), with the indexes of that shape
    /// (`table,index,pages,len:name;…`). The same index of every daily view of a template has the same
    /// shape. (An index lives in its table's schema.)
    static let indexes = """
        SELECT ic.relam AS method,
               i.indisunique::int + 2 * i.indisvalid::int + 4 * (i.indexprs IS NOT NULL)::int
                 + 8 * (i.indpred IS NOT NULL)::int + 16 * i.indnullsnotdistinct::int
                 + 32 * (ic.reloptions IS NOT NULL)::int AS flags,
               i.indnkeyatts AS keys, i.indkey::text AS attributes, i.indclass::text AS classes,
               i.indoption::text AS options, i.indcollation::text AS collations,
               string_agg(i.indrelid || ',' || i.indexrelid || ',' || ic.relpages || ','
                          || octet_length(ic.relname) || ':' || ic.relname, ';') AS members
          FROM pg_class ic
          JOIN pg_index i ON i.indexrelid = ic.oid
         WHERE ic.relkind = 'i' AND ic.relnamespace = ANY ($1::oid[])
         GROUP BY 1, 2, 3, i.indkey, i.indclass, i.indoption, i.indcollation
        """

    /// What the reader needs to pick a column type's default operator class as `GetDefaultOpClass`
    /// does: the default classes per access method and input type (`c`), the implicit binary-coercible
    /// casts (`b`), the preferred types of each category (`p`), the access methods (`m`), and the
    /// category of every type that is not a row type or an array (`t`, third value 1 for a domain).
    static let indexFacts = """
        SELECT 'c' AS kind, opcmethod AS a, opcintype AS b, oid AS c, NULL AS name FROM pg_opclass WHERE opcdefault
        UNION ALL SELECT 'b', castsource, casttarget, 0, NULL FROM pg_cast WHERE castmethod = 'b' AND castcontext = 'i'
        UNION ALL SELECT 'p', oid, 0, 0, typcategory::text FROM pg_type WHERE typispreferred
        UNION ALL SELECT 'm', oid, 0, 0, amname::text FROM pg_am
        UNION ALL SELECT 't', oid, 0, (typtype = 'd')::int, typcategory::text FROM pg_type
                   WHERE typrelid = 0 AND typcategory <> 'A'
        """

    /// The relations each view reads, from the dependencies of its `_RETURN` rule, with the name of
    /// each (it may lie outside the schemas read). Materialized views are left out: a daily view reads
    /// only its dblink call, and asking for 66,000 rules' dependencies would cost more than the rest.
    static let dependencies = """
        SELECT s.oid, s.target, n.nspname::text AS schema, t.relname::text AS name
          FROM (SELECT DISTINCT r.ev_class AS oid, d.refobjid AS target
                  FROM pg_class c
                  JOIN pg_rewrite r ON r.ev_class = c.oid
                  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                                  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
                 WHERE c.relkind = 'v' AND c.relnamespace = ANY ($1::oid[])) s
          JOIN pg_class t ON t.oid = s.target
          JOIN pg_namespace n ON n.oid = t.relnamespace
        """

    /// Canonical spellings of the (type, typmod) pairs `$1`, `$2`.
    static let typeNames = """
        SELECT u.type, u.typmod, format_type(u.type, u.typmod) AS name
          FROM unnest($1::oid[], $2::int[]) AS u(type, typmod)
        """

    /// Column defaults of the relations `$1`.
    static let defaults = """
        SELECT d.adrelid AS oid, d.adnum AS attnum, pg_get_expr(d.adbin, d.adrelid) AS expression
          FROM pg_attrdef d
         WHERE d.adrelid = ANY ($1::oid[])
        """

    /// `pg_get_indexdef` of the indexes `$1`, and for those with expression keys the text of every key.
    static let indexDefinitions = """
        SELECT x.oid, pg_get_indexdef(x.oid) AS definition,
               CASE WHEN i.indexprs IS NOT NULL
                    THEN ARRAY(SELECT pg_get_indexdef(x.oid, k, true) FROM generate_series(1, i.indnkeyatts) k)
               END AS keys
          FROM unnest($1::oid[]) AS x(oid)
          JOIN pg_index i ON i.indexrelid = x.oid
        """

    /// `pg_get_viewdef` of the views `$1`.
    static let viewDefinitions = """
        SELECT x.oid, pg_get_viewdef(x.oid) AS definition FROM unnest($1::oid[]) AS x(oid)
        """

    /// Foreign servers with their wrapper and options (`key=value` each).
    static let foreignServers = """
        SELECT s.srvname::text AS name, w.fdwname::text AS wrapper, s.srvoptions AS options
          FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
        """

    /// The foreign-data wrappers that exist (`dblink_fdw` comes with `CREATE EXTENSION dblink`).
    static let foreignDataWrappers = """
        SELECT fdwname::text AS name FROM pg_foreign_data_wrapper
        """

    /// The seed's registry.
    static let registry = """
        SELECT template_name::text AS template_name, description::text AS description,
               query_template::text AS query_template, column_definitions::text AS column_definitions,
               indexes::text AS indexes
          FROM _wh.mv_templates
        """
}
