-- examples/warehouse/seed_functions.sql
--
-- The warehouse's `_wh` schema as seed 000 describes it: the template registry `_wh.mv_templates`
-- and the `_wh.*` functions its runbook calls, with the seed's names, argument lists and JSON
-- results. A warehouse built with these functions and no warden at all is what warden adopts.
--
-- Run in the warehouse database. Idempotent (CREATE IF NOT EXISTS / CREATE OR REPLACE); the
-- functions call dblink at run time, so the dblink extension may be created before or after this
-- file (connections.sql creates it). Plain SQL, no psql meta-commands.
--
-- Conventions, as in the seed:
--   * functions that work on many objects handle each object in its own subtransaction and report
--     {"success_count": n, "error_count": m, ...}; an "errors" array (at most 20 entries, each
--     {"object", "error", "sqlstate"}) is added only when something failed;
--   * functions that work on one object report {"success": true|false, ..., "error": "..."};
--   * bad arguments (unknown template, NULL dates, missing schema) raise an exception instead.
--
-- Naming, as in the seed:
--   daily materialized view   <schema>.<template>_YYYY_MM_DD
--   yearly table              <schema>.<template>_YYYY
--   tenant union view         <schema>.<template>
--   public view               public.<template>, first column `tenant` (the tenant's schema)
--   index                     the template's `indexes` lines with {SCHEMA} and {VIEW_NAME} replaced,
--                             e.g. idx_landb_foodlogstats_2026_03_14_logged_time. A name longer than
--                             63 bytes becomes its first 54 bytes + '_' + 8 hex digits of md5(name),
--                             so PostgreSQL never truncates it and two long names never collide.

CREATE SCHEMA IF NOT EXISTS _wh;

-- The template registry (seed 000's columns; the two timestamps are extra).
CREATE TABLE IF NOT EXISTS _wh.mv_templates (
    template_name      text        PRIMARY KEY,
    description        text,
    query_template     text        NOT NULL,   -- SQL run on the tenant database; placeholder {TARGET_DATE}
    column_definitions text        NOT NULL,   -- the AS t(...) column list of the dblink call
    indexes            text,                   -- CREATE INDEX lines; placeholders {SCHEMA}, {VIEW_NAME}
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION _wh.touch_mv_templates()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER mv_templates_touch BEFORE UPDATE ON _wh.mv_templates
    FOR EACH ROW EXECUTE FUNCTION _wh.touch_mv_templates();

---------------------------------------------------------------------------------------------------
-- Helpers
---------------------------------------------------------------------------------------------------

-- Today in UTC: the day the ETL considers "today" ("yesterday" is the last day with a daily MV).
-- Demo and test hook: `SET wh.as_of = '2026-03-15'` pins it, so the seed's runbook can be replayed
-- as of any date; without the setting it is the real UTC date, as in the seed.
CREATE OR REPLACE FUNCTION _wh.current_date_utc()
RETURNS date
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(nullif(current_setting('wh.as_of', true), '')::date,
                    (now() AT TIME ZONE 'UTC')::date)
$$;

-- An identifier that fits PostgreSQL's 63-byte limit: unchanged when it fits, else its first 54
-- bytes, '_' and the first 8 hex digits of its md5. (Names here are ASCII: templates and tenant
-- schemas match ^[a-z][a-z0-9_]*$.)
CREATE OR REPLACE FUNCTION _wh.fit_identifier(name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT CASE WHEN octet_length(name) <= 63 THEN name
                ELSE left(name, 54) || '_' || left(md5(name), 8) END
$$;

-- `text` escaped for use as a literal inside a regular expression.
CREATE OR REPLACE FUNCTION _wh.regex_escape(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT regexp_replace(value, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g')
$$;

-- Splits a column_definitions text ("id BIGINT, store TEXT, weight NUMERIC(10,3)") into its
-- columns: commas inside parentheses or double quotes do not split, `--` comments are ignored,
-- unquoted names fold to lower case as PostgreSQL folds them.
CREATE OR REPLACE FUNCTION _wh.parse_column_definitions(definitions text)
RETURNS TABLE (ordinal integer, column_name text, column_type text)
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    src      text := regexp_replace(coalesce(definitions, ''), '--[^\n]*', '', 'g');
    depth    integer := 0;
    quoted   boolean := false;
    piece    text := '';
    pieces   text[] := '{}';
    ch       text;
    item     text;
    i        integer;
    m        text[];
BEGIN
    FOR i IN 1 .. length(src) LOOP
        ch := substr(src, i, 1);
        IF ch = '"' THEN
            quoted := NOT quoted;
        ELSIF NOT quoted AND ch = '(' THEN
            depth := depth + 1;
        ELSIF NOT quoted AND ch = ')' THEN
            depth := depth - 1;
        ELSIF NOT quoted AND depth = 0 AND ch = ',' THEN
            pieces := pieces || btrim(piece, E' \t\r\n');
            piece := '';
            CONTINUE;
        END IF;
        piece := piece || ch;
    END LOOP;
    pieces := pieces || btrim(piece, E' \t\r\n');

    ordinal := 0;
    FOREACH item IN ARRAY pieces LOOP
        CONTINUE WHEN item = '';
        ordinal := ordinal + 1;
        IF left(item, 1) = '"' THEN
            m := regexp_match(item, '^"((?:[^"]|"")*)"\s*(.*)$');
            column_name := replace(m[1], '""', '"');
            column_type := m[2];
        ELSE
            m := regexp_match(item, '^(\S+)\s+(.*)$');
            IF m IS NULL THEN
                RAISE EXCEPTION 'column definition without a type: "%"', item;
            END IF;
            column_name := lower(m[1]);
            column_type := m[2];
        END IF;
        column_type := regexp_replace(column_type, '\s+', ' ', 'g');
        RETURN NEXT;
    END LOOP;
END
$$;

-- The columns of a registered template, in order.
CREATE OR REPLACE FUNCTION _wh.template_columns(p_template text)
RETURNS TABLE (ordinal integer, column_name text, column_type text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    defs text;
BEGIN
    SELECT t.column_definitions INTO defs FROM _wh.mv_templates t WHERE t.template_name = p_template;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" is not in _wh.mv_templates', p_template;
    END IF;
    RETURN QUERY SELECT * FROM _wh.parse_column_definitions(defs);
END
$$;

-- The template's index statements for one relation. Each `CREATE [UNIQUE] INDEX <name> ON
-- <target> <rest>` gets {SCHEMA}/{VIEW_NAME} replaced: in <name> by the raw names (then fitted to 63
-- bytes and quoted), in <target> and <rest> by quoted identifiers. A statement of another shape
-- only gets the quoted replacement.
CREATE OR REPLACE FUNCTION _wh.render_index_statements(indexes text, p_schema text, p_relation text)
RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    stmt text;
    m    text[];
    name text;
BEGIN
    FOREACH stmt IN ARRAY regexp_split_to_array(coalesce(indexes, ''), ';') LOOP
        stmt := btrim(regexp_replace(stmt, '--[^\n]*', '', 'g'), E' \t\r\n');
        CONTINUE WHEN stmt = '';
        m := regexp_match(stmt,
            '^CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\S+)\s+ON\s+(\S+)\s*(.*)$', 'i');
        IF m IS NULL THEN
            RETURN NEXT replace(replace(stmt, '{SCHEMA}', quote_ident(p_schema)),
                                '{VIEW_NAME}', quote_ident(p_relation));
            CONTINUE;
        END IF;
        name := _wh.fit_identifier(replace(replace(m[2], '{SCHEMA}', p_schema), '{VIEW_NAME}', p_relation));
        RETURN NEXT format('CREATE %sINDEX %I ON %s %s',
                           CASE WHEN m[1] IS NULL THEN '' ELSE 'UNIQUE ' END,
                           name,
                           replace(replace(m[3], '{SCHEMA}', quote_ident(p_schema)),
                                   '{VIEW_NAME}', quote_ident(p_relation)),
                           replace(replace(m[4], '{SCHEMA}', quote_ident(p_schema)),
                                   '{VIEW_NAME}', quote_ident(p_relation)));
    END LOOP;
END
$$;

-- `SELECT * FROM dblink('<connection>', $q$<query for one day>$q$) AS t(<column_definitions>)`:
-- the body of every daily MV and of every day loaded into a yearly table.
CREATE OR REPLACE FUNCTION _wh.render_dblink_select(p_template text, p_connection text, p_target_date date)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    tpl   _wh.mv_templates%ROWTYPE;
    query text;
    tag   text := '$q$';
    n     integer := 0;
BEGIN
    SELECT * INTO tpl FROM _wh.mv_templates WHERE template_name = p_template;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" is not in _wh.mv_templates', p_template;
    END IF;
    query := replace(tpl.query_template, '{TARGET_DATE}', to_char(p_target_date, 'YYYY-MM-DD'));
    WHILE position(tag IN query) > 0 LOOP
        n := n + 1;
        tag := '$q' || n || '$';
    END LOOP;
    RETURN format(E'SELECT * FROM dblink(%L, %s%s%s) AS t(\n%s\n)',
                  p_connection, tag, query, tag, btrim(tpl.column_definitions, E' \t\r\n'));
END
$$;

-- Opens a session-level dblink connection named after the foreign server, unless one is open.
-- While it is open, dblink('<server>', ...) in this session reuses it instead of connecting once
-- per call; a materialized view still records dblink('<server>', ...), so a REFRESH in any other
-- session connects through the foreign server as usual. Returns whether it opened the connection
-- (the caller then closes it with dblink_disconnect).
CREATE OR REPLACE FUNCTION _wh.open_connection(p_connection text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_connection = ANY (coalesce(dblink_get_connections(), '{}'::text[])) THEN
        RETURN false;
    END IF;
    PERFORM dblink_connect(p_connection, p_connection);
    RETURN true;
END
$$;

-- Schemas that hold tenants: everything but public, _wh and the system schemas.
CREATE OR REPLACE FUNCTION _wh.is_tenant_schema(p_schema text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT p_schema NOT IN ('public', '_wh', 'information_schema') AND p_schema NOT LIKE 'pg\_%'
$$;

---------------------------------------------------------------------------------------------------
-- Daily materialized views
---------------------------------------------------------------------------------------------------

-- Creates (or replaces) one MV per day from p_start_date to p_end_date inclusive:
--   CREATE MATERIALIZED VIEW <schema>.<template>_YYYY_MM_DD AS
--       SELECT * FROM dblink('<connection>', $q$<query, {TARGET_DATE} = YYYY-MM-DD>$q$) AS t(<columns>)
-- plus the template's indexes. An MV that already exists is dropped first (this fails, and is
-- counted as an error, while a union view still uses it: drop the views first, as the seed does).
-- Result: {"success_count", "error_count", "start_date", "end_date", "row_count"[, "errors"]}.
CREATE OR REPLACE FUNCTION _wh.update_mv_window_by_template(p_template text, p_connection text, p_schema text,
                                                            p_start_date date, p_end_date date)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    tpl       _wh.mv_templates%ROWTYPE;
    d         date;
    view_name text;
    stmt      text;
    n_rows    bigint;
    total     bigint := 0;
    ok        integer := 0;
    bad       integer := 0;
    errors    jsonb := '[]';
    opened    boolean := false;
    result    jsonb;
BEGIN
    SELECT * INTO tpl FROM _wh.mv_templates WHERE template_name = p_template;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" is not in _wh.mv_templates', p_template;
    END IF;
    IF p_start_date IS NULL OR p_end_date IS NULL THEN
        RAISE EXCEPTION 'update_mv_window_by_template: start and end dates must not be NULL';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = p_schema) THEN
        RAISE EXCEPTION 'schema "%" does not exist', p_schema USING HINT = 'CREATE SCHEMA it first.';
    END IF;

    IF p_start_date <= p_end_date THEN
        opened := _wh.open_connection(p_connection);
    END IF;
    d := p_start_date;
    WHILE d <= p_end_date LOOP
        view_name := p_template || '_' || to_char(d, 'YYYY_MM_DD');
        BEGIN
            IF EXISTS (SELECT FROM pg_matviews WHERE schemaname = p_schema AND matviewname = view_name) THEN
                EXECUTE format('DROP MATERIALIZED VIEW %I.%I', p_schema, view_name);
            END IF;
            EXECUTE format('CREATE MATERIALIZED VIEW %I.%I AS %s', p_schema, view_name,
                           _wh.render_dblink_select(p_template, p_connection, d));
            GET DIAGNOSTICS n_rows = ROW_COUNT;
            FOR stmt IN SELECT * FROM _wh.render_index_statements(tpl.indexes, p_schema, view_name) LOOP
                EXECUTE stmt;
            END LOOP;
            ok := ok + 1;
            total := total + n_rows;
        EXCEPTION WHEN OTHERS THEN
            bad := bad + 1;
            IF jsonb_array_length(errors) < 20 THEN
                errors := errors || jsonb_build_object('object', p_schema || '.' || view_name,
                                                       'error', SQLERRM, 'sqlstate', SQLSTATE);
            END IF;
        END;
        d := d + 1;
    END LOOP;
    IF opened THEN
        PERFORM dblink_disconnect(p_connection);
    END IF;

    result := jsonb_build_object('success_count', ok, 'error_count', bad, 'start_date', p_start_date,
                                 'end_date', p_end_date, 'row_count', total);
    IF bad > 0 THEN
        result := result || jsonb_build_object('errors', errors);
    END IF;
    RETURN result;
END
$$;

-- The seed calls it as (..., '2024-01-01'::date, _wh.current_date_utc() - INTERVAL '1 day'), whose
-- last argument is a timestamp: accept timestamps (and plain string literals) too.
CREATE OR REPLACE FUNCTION _wh.update_mv_window_by_template(p_template text, p_connection text, p_schema text,
                                                            p_start_date timestamptz, p_end_date timestamptz)
RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT _wh.update_mv_window_by_template(p_template, p_connection, p_schema,
                                            p_start_date::date, p_end_date::date)
$$;

-- Drops every daily MV of the template for that year in every tenant schema.
-- Result: {"success_count", "error_count", "target_year"[, "errors"]}.
CREATE OR REPLACE FUNCTION _wh.drop_current_year_mvs_by_template(p_template text, p_year integer)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    rec    record;
    ok     integer := 0;
    bad    integer := 0;
    errors jsonb := '[]';
    result jsonb;
BEGIN
    FOR rec IN
        SELECT schemaname, matviewname
        FROM pg_matviews
        WHERE _wh.is_tenant_schema(schemaname)
          AND matviewname ~ ('^' || _wh.regex_escape(p_template) || '_' || p_year::text || '_[0-9]{2}_[0-9]{2}$')
        ORDER BY schemaname, matviewname
    LOOP
        BEGIN
            EXECUTE format('DROP MATERIALIZED VIEW %I.%I', rec.schemaname, rec.matviewname);
            ok := ok + 1;
        EXCEPTION WHEN OTHERS THEN
            bad := bad + 1;
            IF jsonb_array_length(errors) < 20 THEN
                errors := errors || jsonb_build_object('object', rec.schemaname || '.' || rec.matviewname,
                                                       'error', SQLERRM, 'sqlstate', SQLSTATE);
            END IF;
        END;
    END LOOP;
    result := jsonb_build_object('success_count', ok, 'error_count', bad, 'target_year', p_year);
    IF bad > 0 THEN
        result := result || jsonb_build_object('errors', errors);
    END IF;
    RETURN result;
END
$$;

---------------------------------------------------------------------------------------------------
-- Yearly tables
---------------------------------------------------------------------------------------------------

-- Builds the yearly table <schema>.<template>_YYYY of a past year from the source: a plain table
-- with the template's columns, loaded day by day through the same rendered query as a daily MV
-- (one dblink call per day, over one connection), then the template's indexes. History is never
-- rewritten: an existing table is left alone and reported as an error.
-- Result: {"success", "table", "day_count", "row_count"[, "error"]}.
CREATE OR REPLACE FUNCTION _wh.create_yearly_table_by_template(p_template text, p_connection text, p_schema text,
                                                               p_year integer)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    tpl        _wh.mv_templates%ROWTYPE;
    yearly_name text := p_template || '_' || p_year::text;
    d          date;
    stmt       text;
    n_rows     bigint;
    total      bigint := 0;
    days       integer := 0;
    opened     boolean := false;
BEGIN
    SELECT * INTO tpl FROM _wh.mv_templates WHERE template_name = p_template;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" is not in _wh.mv_templates', p_template;
    END IF;
    IF p_year IS NULL OR p_year < 1900 OR p_year > 9999 THEN
        RAISE EXCEPTION 'create_yearly_table_by_template: bad year %', p_year;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = p_schema) THEN
        RAISE EXCEPTION 'schema "%" does not exist', p_schema USING HINT = 'CREATE SCHEMA it first.';
    END IF;
    IF EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = p_schema AND c.relname = yearly_name) THEN
        RETURN jsonb_build_object('success', false, 'table', p_schema || '.' || yearly_name,
                                  'error', format('%I.%I already exists; yearly tables are never rewritten',
                                                  p_schema, yearly_name));
    END IF;

    BEGIN
        EXECUTE format(E'CREATE TABLE %I.%I (\n%s\n)', p_schema, yearly_name,
                       btrim(tpl.column_definitions, E' \t\r\n'));
        opened := _wh.open_connection(p_connection);
        d := make_date(p_year, 1, 1);
        WHILE d < make_date(p_year + 1, 1, 1) LOOP
            EXECUTE format('INSERT INTO %I.%I %s', p_schema, yearly_name,
                           _wh.render_dblink_select(p_template, p_connection, d));
            GET DIAGNOSTICS n_rows = ROW_COUNT;
            total := total + n_rows;
            days := days + 1;
            d := d + 1;
        END LOOP;
        FOR stmt IN SELECT * FROM _wh.render_index_statements(tpl.indexes, p_schema, yearly_name) LOOP
            EXECUTE stmt;
        END LOOP;
        IF opened THEN
            PERFORM dblink_disconnect(p_connection);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        IF opened AND p_connection = ANY (coalesce(dblink_get_connections(), '{}'::text[])) THEN
            PERFORM dblink_disconnect(p_connection);
        END IF;
        RETURN jsonb_build_object('success', false, 'table', p_schema || '.' || yearly_name,
                                  'error', SQLERRM, 'sqlstate', SQLSTATE);
    END;
    RETURN jsonb_build_object('success', true, 'table', p_schema || '.' || yearly_name,
                              'day_count', days, 'row_count', total);
END
$$;

-- Adds a column to every yearly table of the template in every tenant schema (metadata-only for a
-- constant default), with an index idx_<schema>_<table>_<column> when p_create_index.
-- p_default is a literal of p_type, or NULL for no default.
-- Result: {"success_count", "error_count", "column_name"[, "errors"]}.
CREATE OR REPLACE FUNCTION _wh.add_column_to_yearly_tables_by_template(p_template text, p_column text, p_type text,
                                                                       p_default text, p_create_index boolean)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    rec         record;
    default_sql text := '';
    ok          integer := 0;
    bad         integer := 0;
    errors      jsonb := '[]';
    result      jsonb;
BEGIN
    IF p_column IS NULL OR p_column = '' THEN
        RAISE EXCEPTION 'add_column_to_yearly_tables_by_template: column name must not be empty';
    END IF;
    IF to_regtype(p_type) IS NULL THEN
        RAISE EXCEPTION 'add_column_to_yearly_tables_by_template: unknown type "%"', p_type;
    END IF;
    IF p_default IS NOT NULL THEN
        EXECUTE format('SELECT %L::%s', p_default, p_type);   -- the default must parse as its type
        default_sql := format(' DEFAULT %L::%s', p_default, p_type);
    END IF;

    FOR rec IN
        SELECT schemaname, tablename
        FROM pg_tables
        WHERE _wh.is_tenant_schema(schemaname)
          AND tablename ~ ('^' || _wh.regex_escape(p_template) || '_[0-9]{4}$')
        ORDER BY schemaname, tablename
    LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %I.%I ADD COLUMN IF NOT EXISTS %I %s%s',
                           rec.schemaname, rec.tablename, p_column, p_type, default_sql);
            IF p_create_index THEN
                EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I (%I)',
                               _wh.fit_identifier('idx_' || rec.schemaname || '_' || rec.tablename || '_' || p_column),
                               rec.schemaname, rec.tablename, p_column);
            END IF;
            ok := ok + 1;
        EXCEPTION WHEN OTHERS THEN
            bad := bad + 1;
            IF jsonb_array_length(errors) < 20 THEN
                errors := errors || jsonb_build_object('object', rec.schemaname || '.' || rec.tablename,
                                                       'error', SQLERRM, 'sqlstate', SQLSTATE);
            END IF;
        END;
    END LOOP;
    result := jsonb_build_object('success_count', ok, 'error_count', bad, 'column_name', p_column);
    IF bad > 0 THEN
        result := result || jsonb_build_object('errors', errors);
    END IF;
    RETURN result;
END
$$;

---------------------------------------------------------------------------------------------------
-- Views
---------------------------------------------------------------------------------------------------

-- Creates or replaces a view; when CREATE OR REPLACE cannot (columns removed, renamed, retyped or
-- inserted), drops and recreates it, which loses its grants as the seed's procedure does.
-- Returns 'replaced' or 'recreated'.
CREATE OR REPLACE FUNCTION _wh.put_view(p_schema text, p_view text, p_query text)
RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
    BEGIN
        EXECUTE format('CREATE OR REPLACE VIEW %I.%I AS %s', p_schema, p_view, p_query);
        RETURN 'replaced';
    EXCEPTION WHEN invalid_table_definition THEN
        EXECUTE format('DROP VIEW %I.%I', p_schema, p_view);
        EXECUTE format('CREATE VIEW %I.%I AS %s', p_schema, p_view, p_query);
        RETURN 'recreated';
    END;
END
$$;

-- Creates or replaces <schema>.<template>: UNION ALL of the schema's yearly tables
-- <template>_YYYY and daily MVs <template>_YYYY_MM_DD, oldest first, each branch naming the
-- template's columns in template order.
-- Result: {"success", "view", "yearly_tables", "daily_views", "mode"[, "error"]}.
CREATE OR REPLACE FUNCTION _wh.update_tenant_union_view_by_template(p_template text, p_schema text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    cols    text;
    body    text;
    yearly  integer;
    daily   integer;
    mode    text;
    pattern text := '^' || _wh.regex_escape(p_template) || '_';
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal) INTO cols
    FROM _wh.template_columns(p_template);

    SELECT string_agg(format('SELECT %s FROM %I.%I', cols, p_schema, relname), E'\nUNION ALL\n' ORDER BY suffix),
           count(*) FILTER (WHERE kind = 'yearly'),
           count(*) FILTER (WHERE kind = 'daily')
      INTO body, yearly, daily
    FROM (
        SELECT tablename AS relname, 'yearly' AS kind, substr(tablename, length(p_template) + 2) AS suffix
        FROM pg_tables
        WHERE schemaname = p_schema AND tablename ~ (pattern || '[0-9]{4}$')
        UNION ALL
        SELECT matviewname, 'daily', substr(matviewname, length(p_template) + 2)
        FROM pg_matviews
        WHERE schemaname = p_schema AND matviewname ~ (pattern || '[0-9]{4}_[0-9]{2}_[0-9]{2}$')
    ) members;

    IF body IS NULL THEN
        RETURN jsonb_build_object('success', false, 'view', p_schema || '.' || p_template,
                                  'error', format('no yearly tables or daily views of %s in schema %s',
                                                  p_template, p_schema));
    END IF;
    BEGIN
        mode := _wh.put_view(p_schema, p_template, body);
    EXCEPTION WHEN OTHERS THEN
        RETURN jsonb_build_object('success', false, 'view', p_schema || '.' || p_template,
                                  'error', SQLERRM, 'sqlstate', SQLSTATE);
    END;
    RETURN jsonb_build_object('success', true, 'view', p_schema || '.' || p_template,
                              'yearly_tables', yearly, 'daily_views', daily, 'mode', mode);
END
$$;

-- Creates or replaces public.<template>: UNION ALL over every tenant schema that has the union
-- view (found as the seed finds them: pg_views WHERE viewname = template AND schemaname NOT IN
-- ('public', '_wh')), each branch SELECT '<schema>'::text AS tenant, <columns>.
-- Result: {"success", "view", "tenant_count", "tenants", "mode"[, "error"]}.
CREATE OR REPLACE FUNCTION _wh.update_public_view_by_template(p_template text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    cols    text;
    body    text;
    tenants jsonb;
    mode    text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal) INTO cols
    FROM _wh.template_columns(p_template);

    SELECT string_agg(format('SELECT %L::text AS tenant, %s FROM %I.%I', schemaname, cols, schemaname, viewname),
                      E'\nUNION ALL\n' ORDER BY schemaname),
           jsonb_agg(schemaname ORDER BY schemaname)
      INTO body, tenants
    FROM pg_views
    WHERE viewname = p_template
      AND schemaname NOT IN ('public', '_wh')
      AND _wh.is_tenant_schema(schemaname);

    IF body IS NULL THEN
        RETURN jsonb_build_object('success', false, 'view', 'public.' || p_template, 'tenant_count', 0,
                                  'error', format('no tenant schema has a view named %s', p_template));
    END IF;
    BEGIN
        mode := _wh.put_view('public', p_template, body);
    EXCEPTION WHEN OTHERS THEN
        RETURN jsonb_build_object('success', false, 'view', 'public.' || p_template,
                                  'error', SQLERRM, 'sqlstate', SQLSTATE);
    END;
    RETURN jsonb_build_object('success', true, 'view', 'public.' || p_template,
                              'tenant_count', jsonb_array_length(tenants), 'tenants', tenants, 'mode', mode);
END
$$;

-- Drops public.<template> (users lose access here). Result: {"success": true} or
-- {"success": false, "error"}.
CREATE OR REPLACE FUNCTION _wh.drop_public_view_by_template(p_template text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT FROM pg_views WHERE schemaname = 'public' AND viewname = p_template) THEN
        EXECUTE format('DROP VIEW public.%I', p_template);
    END IF;
    RETURN jsonb_build_object('success', true);
EXCEPTION WHEN OTHERS THEN
    RETURN jsonb_build_object('success', false, 'error', SQLERRM, 'sqlstate', SQLSTATE);
END
$$;

-- Drops <schema>.<template> in every tenant schema. Fails per schema (counted) while the public
-- view still uses it. Result: {"success_count", "error_count"[, "errors"]}.
CREATE OR REPLACE FUNCTION _wh.drop_all_tenant_union_views_by_template(p_template text)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    rec    record;
    ok     integer := 0;
    bad    integer := 0;
    errors jsonb := '[]';
    result jsonb;
BEGIN
    FOR rec IN
        SELECT schemaname, viewname
        FROM pg_views
        WHERE viewname = p_template
          AND schemaname NOT IN ('public', '_wh')
          AND _wh.is_tenant_schema(schemaname)
        ORDER BY schemaname
    LOOP
        BEGIN
            EXECUTE format('DROP VIEW %I.%I', rec.schemaname, rec.viewname);
            ok := ok + 1;
        EXCEPTION WHEN OTHERS THEN
            bad := bad + 1;
            IF jsonb_array_length(errors) < 20 THEN
                errors := errors || jsonb_build_object('object', rec.schemaname || '.' || rec.viewname,
                                                       'error', SQLERRM, 'sqlstate', SQLSTATE);
            END IF;
        END;
    END LOOP;
    result := jsonb_build_object('success_count', ok, 'error_count', bad);
    IF bad > 0 THEN
        result := result || jsonb_build_object('errors', errors);
    END IF;
    RETURN result;
END
$$;
