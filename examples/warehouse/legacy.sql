-- examples/warehouse/legacy.sql
--
-- Builds the legacy warehouse the way an engineer following seed 000 built it, without warden:
-- for every template in _wh.mv_templates and every tenant, yearly tables for the past years, daily
-- MVs from Jan 1 of the as-of year up to the day before as_of, the tenant union views, the public
-- views and their grants. Only the seed's `_wh.*` functions create warehouse objects; nothing
-- depends on the real current date.
--
-- Run in the warehouse database after seed_functions.sql, connections.sql and templates.sql, and
-- after creating the tenant connections (<tenant>-prod). Then, as a statement of its own, outside
-- any transaction block (the procedure commits as it goes):
--
--   CALL _wh_demo.build_legacy_warehouse('2026-03-15', 2024);
--   CALL _wh_demo.build_legacy_warehouse('2026-03-15', 2024, ARRAY['landb','acme','bistro'], ARRAY['landb']);
--
-- Idempotent. Plain SQL, no psql meta-commands.

CREATE SCHEMA IF NOT EXISTS _wh_demo;

-- Creates a NOLOGIN role unless it exists. Roles are cluster-wide: several demo warehouses in one
-- cluster share them, and two sessions may race to create the same one.
CREATE OR REPLACE FUNCTION _wh_demo.ensure_role(p_role text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = p_role) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE ROLE %I NOLOGIN', p_role);
    RETURN true;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    RETURN false;
END
$$;

-- Raises unless p_tenant is a usable tenant schema name (DESIGN.md section 1).
CREATE OR REPLACE FUNCTION _wh_demo.check_tenant_name(p_tenant text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_tenant IS NULL OR p_tenant !~ '^[a-z][a-z0-9_]{0,62}$'
       OR p_tenant IN ('public', '_wh', '_wh_demo', 'information_schema') OR p_tenant LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'bad tenant schema name "%"', p_tenant
            USING HINT = 'Tenant schemas match ^[a-z][a-z0-9_]{0,62}$ and are not public, _wh or pg_*.';
    END IF;
END
$$;

-- Drops what build_legacy_warehouse builds: the public views of every registered template, and
-- whole tenant schemas: those named in p_tenants and every other schema holding a view, yearly
-- table or daily MV of a registered template (so a rebuild with fewer tenants leaves no stale
-- tenant behind). Relations are dropped a hundred per transaction, so a big warehouse never fills
-- the lock table (max_locks_per_transaction). CALL it on its own, outside a transaction block.
CREATE OR REPLACE PROCEDURE _wh_demo.drop_legacy_warehouse(p_tenants text[] DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    rec     record;
    tenant  text;
    doomed  text[];
    dropped integer := 0;
BEGIN
    FOREACH tenant IN ARRAY coalesce(p_tenants, '{}'::text[]) LOOP
        PERFORM _wh_demo.check_tenant_name(tenant);
    END LOOP;

    SELECT array_agg(DISTINCT nspname ORDER BY nspname) INTO doomed
    FROM (
        SELECT unnest(coalesce(p_tenants, '{}'::text[])) AS nspname
        UNION
        SELECT n.nspname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN _wh.mv_templates t
          ON c.relname = t.template_name
          OR c.relname ~ ('^' || _wh.regex_escape(t.template_name) || '_[0-9]{4}(_[0-9]{2}_[0-9]{2})?$')
        WHERE c.relkind IN ('v', 'm', 'r')
          AND _wh.is_tenant_schema(n.nspname)
          AND n.nspname <> '_wh_demo'
    ) s
    WHERE EXISTS (SELECT FROM pg_namespace WHERE pg_namespace.nspname = s.nspname);

    FOR rec IN
        SELECT v.viewname FROM pg_views v JOIN _wh.mv_templates t ON t.template_name = v.viewname
        WHERE v.schemaname = 'public'
    LOOP
        EXECUTE format('DROP VIEW public.%I', rec.viewname);
    END LOOP;
    COMMIT;

    FOREACH tenant IN ARRAY coalesce(doomed, '{}'::text[]) LOOP
        FOR rec IN SELECT viewname FROM pg_views WHERE schemaname = tenant LOOP
            EXECUTE format('DROP VIEW IF EXISTS %I.%I CASCADE', tenant, rec.viewname);
        END LOOP;
        COMMIT;
        FOR rec IN
            SELECT c.relname, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = tenant AND c.relkind IN ('m', 'r')
            ORDER BY c.relname
        LOOP
            EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE',
                           CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                           tenant, rec.relname);
            dropped := dropped + 1;
            IF dropped % 100 = 0 THEN
                COMMIT;
            END IF;
        END LOOP;
        COMMIT;
        EXECUTE format('DROP SCHEMA %I CASCADE', tenant);
        COMMIT;
    END LOOP;
END
$$;

-- Builds the legacy warehouse as of p_as_of ("today"; the last daily MV is p_as_of - 1):
--   1. drops what an earlier build left (drop_legacy_warehouse: public views, the named tenant
--      schemas and any other schema holding objects of a registered template), creates the
--      tenant schemas;
--   2. for every template (by name) and tenant (in the given order):
--        _wh.create_yearly_table_by_template for p_first_year .. year(p_as_of) - 1,
--        _wh.update_mv_window_by_template from Jan 1 of p_as_of's year to p_as_of - 1 (a month per
--        call and per transaction),
--        _wh.update_tenant_union_view_by_template;
--   3. _wh.update_public_view_by_template per template;
--   4. grants: SELECT on every public view to `analysts`; USAGE on the schema and SELECT on the
--      union views to `<tenant>_readers` for each tenant of p_reader_tenants (roles NOLOGIN,
--      created when missing).
-- Tenant t reads its source through the foreign server 't-prod'. Any failure raises (what was
-- built so far stays; rerunning starts over). Commits after every step, so it must be CALLed
-- outside a transaction block, as a statement of its own. `summary` comes back as the CALL's
-- result row: {"as_of", "first_year", "tenants", "templates", "yearly_tables", "daily_views",
-- "rows", "elapsed_ms"}.
CREATE OR REPLACE PROCEDURE _wh_demo.build_legacy_warehouse(p_as_of date,
                                                            p_first_year integer,
                                                            p_tenants text[] DEFAULT ARRAY['landb', 'acme', 'bistro'],
                                                            p_reader_tenants text[] DEFAULT ARRAY['landb'],
                                                            INOUT summary jsonb DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    started     timestamptz := clock_timestamp();
    as_of_year  integer;
    last_day    date;
    chunk_start date;
    chunk_end   date;
    tenant      text;
    template    text;
    templates   text[];
    y           integer;
    r           jsonb;
    yearly      integer := 0;
    daily       integer := 0;
    row_counts  jsonb := '{}';
    rows_here   bigint;
    opened      text[] := '{}';
BEGIN
    IF p_as_of IS NULL OR p_first_year IS NULL THEN
        RAISE EXCEPTION 'build_legacy_warehouse: as_of and first_year must not be NULL';
    END IF;
    as_of_year := extract(year FROM p_as_of)::integer;
    last_day := p_as_of - 1;
    IF p_first_year > as_of_year THEN
        RAISE EXCEPTION 'build_legacy_warehouse: first_year % is after the as-of year %', p_first_year, as_of_year;
    END IF;
    IF p_first_year = as_of_year AND last_day < make_date(as_of_year, 1, 1) THEN
        RAISE EXCEPTION 'build_legacy_warehouse: nothing to build as of % from %', p_as_of, p_first_year
            USING HINT = 'Use an earlier first_year or a later as_of.';
    END IF;
    IF p_tenants IS NULL OR cardinality(p_tenants) = 0 THEN
        RAISE EXCEPTION 'build_legacy_warehouse: no tenants';
    END IF;
    FOREACH tenant IN ARRAY p_tenants LOOP
        PERFORM _wh_demo.check_tenant_name(tenant);
        IF NOT EXISTS (SELECT FROM pg_foreign_server WHERE srvname = tenant || '-prod') THEN
            RAISE EXCEPTION 'tenant %: no foreign server "%-prod"', tenant, tenant
                USING HINT = 'SELECT _wh_demo.create_tenant_connection(''' || tenant
                             || '-prod'', ''<dbname>'', ''<host or socket dir>'', <port>, ''<user>'')';
        END IF;
    END LOOP;
    FOREACH tenant IN ARRAY coalesce(p_reader_tenants, '{}'::text[]) LOOP
        IF NOT tenant = ANY (p_tenants) THEN
            RAISE EXCEPTION 'build_legacy_warehouse: reader tenant % is not among the tenants', tenant;
        END IF;
    END LOOP;
    SELECT array_agg(template_name ORDER BY template_name) INTO templates FROM _wh.mv_templates;
    IF templates IS NULL THEN
        RAISE EXCEPTION 'build_legacy_warehouse: _wh.mv_templates is empty'
            USING HINT = 'Run examples/warehouse/templates.sql first.';
    END IF;

    -- 1. A clean slate.
    CALL _wh_demo.drop_legacy_warehouse(p_tenants);
    FOREACH tenant IN ARRAY p_tenants LOOP
        EXECUTE format('CREATE SCHEMA %I', tenant);
    END LOOP;
    COMMIT;

    -- One dblink connection per tenant for the whole build; the _wh functions reuse it.
    FOREACH tenant IN ARRAY p_tenants LOOP
        IF _wh.open_connection(tenant || '-prod') THEN
            opened := opened || (tenant || '-prod');
        END IF;
    END LOOP;

    -- 2. Yearly tables, daily MVs and union views.
    FOREACH template IN ARRAY templates LOOP
        row_counts := row_counts || jsonb_build_object(template, '{}'::jsonb);
        FOREACH tenant IN ARRAY p_tenants LOOP
            rows_here := 0;
            FOR y IN p_first_year .. as_of_year - 1 LOOP
                r := _wh.create_yearly_table_by_template(template, tenant || '-prod', tenant, y);
                IF NOT (r ->> 'success')::boolean THEN
                    RAISE EXCEPTION 'create_yearly_table_by_template(%, %-prod, %, %) failed: %',
                        template, tenant, tenant, y, r ->> 'error';
                END IF;
                yearly := yearly + 1;
                rows_here := rows_here + (r ->> 'row_count')::bigint;
                COMMIT;
            END LOOP;

            chunk_start := make_date(as_of_year, 1, 1);
            WHILE chunk_start <= last_day LOOP
                chunk_end := least(last_day, (date_trunc('month', chunk_start) + interval '1 month - 1 day')::date);
                r := _wh.update_mv_window_by_template(template, tenant || '-prod', tenant, chunk_start, chunk_end);
                IF (r ->> 'error_count')::integer > 0 THEN
                    RAISE EXCEPTION 'update_mv_window_by_template(%, %-prod, %, %, %) failed: %',
                        template, tenant, tenant, chunk_start, chunk_end, r -> 'errors';
                END IF;
                daily := daily + (r ->> 'success_count')::integer;
                rows_here := rows_here + (r ->> 'row_count')::bigint;
                COMMIT;
                chunk_start := chunk_end + 1;
            END LOOP;

            r := _wh.update_tenant_union_view_by_template(template, tenant);
            IF NOT (r ->> 'success')::boolean THEN
                RAISE EXCEPTION 'update_tenant_union_view_by_template(%, %) failed: %', template, tenant, r ->> 'error';
            END IF;
            row_counts := jsonb_set(row_counts, ARRAY[template, tenant], to_jsonb(rows_here));
            COMMIT;
        END LOOP;

        -- 3. The public view.
        r := _wh.update_public_view_by_template(template);
        IF NOT (r ->> 'success')::boolean THEN
            RAISE EXCEPTION 'update_public_view_by_template(%) failed: %', template, r ->> 'error';
        END IF;

        -- 4. Grants.
        PERFORM _wh_demo.ensure_role('analysts');
        EXECUTE format('GRANT SELECT ON public.%I TO analysts', template);
        FOREACH tenant IN ARRAY coalesce(p_reader_tenants, '{}'::text[]) LOOP
            PERFORM _wh_demo.ensure_role(tenant || '_readers');
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', tenant, tenant || '_readers');
            EXECUTE format('GRANT SELECT ON %I.%I TO %I', tenant, template, tenant || '_readers');
        END LOOP;
        COMMIT;
    END LOOP;

    FOREACH tenant IN ARRAY opened LOOP
        PERFORM dblink_disconnect(tenant);
    END LOOP;

    summary := jsonb_build_object(
        'as_of', p_as_of,
        'first_year', p_first_year,
        'tenants', to_jsonb(p_tenants),
        'templates', to_jsonb(templates),
        'yearly_tables', yearly,
        'daily_views', daily,
        'rows', row_counts,
        'elapsed_ms', round(extract(epoch FROM clock_timestamp() - started) * 1000));
END
$$;
