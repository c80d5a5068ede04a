-- Benchmarks/catalog-scale/generate.sql
--
-- A catalog-only warehouse at the scale of DESIGN.md §10: by default 50 tenant schemas × 4 templates
-- × 330 daily materialized views (66,000 MVs, WITH NO DATA), two yearly tables per tenant and
-- template, the tenant union views and the public views, built the way seed 000 builds them
-- (`SELECT * FROM dblink('<tenant>-prod', $q$…'YYYY-MM-DD'…$q$) AS t(…)`). No source database is
-- needed: WITH NO DATA never runs the dblink call.
--
-- Run in an empty database, then CALL the procedure as a statement of its own (it commits every
-- p_batch MVs, so it never holds more locks than max_locks_per_transaction allows):
--
--   psql -d catalog_scale -f Benchmarks/catalog-scale/generate.sql
--   psql -d catalog_scale -c "CALL _bench.build_catalog_scale(50, 330)"
--   psql -d catalog_scale -c "CALL _bench.stamp_all()"          # optional: a warden-managed warehouse
--
-- Optional arguments: p_year (2026), p_first_year (2024), p_stamp (false: a legacy warehouse, no
-- comments; true: every MV carries a warden stamp `warden: spec=…`), p_batch (200).
-- Plain SQL, no psql meta-commands.

CREATE EXTENSION IF NOT EXISTS dblink;
CREATE SCHEMA IF NOT EXISTS _wh;
CREATE SCHEMA IF NOT EXISTS _bench;

-- Seed 000's registry, as examples/warehouse/seed_functions.sql creates it.
CREATE TABLE IF NOT EXISTS _wh.mv_templates (
    template_name      text        PRIMARY KEY,
    description        text,
    query_template     text        NOT NULL,
    column_definitions text        NOT NULL,
    indexes            text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Four templates of 5 to 8 columns and 3 or 4 indexes each.
TRUNCATE _wh.mv_templates;
INSERT INTO _wh.mv_templates (template_name, description, query_template, column_definitions, indexes) VALUES
('foodlogstats', 'Daily food log statistics',
$t$SELECT
    pf.id,
    pl.name AS store,
    pf.logged_time,
    pa.id AS action_taken_id,
    pf.flags,
    pf.weight
FROM phood_foodlogsum pf
JOIN phood_location pl ON pl.id = pf.location_id
JOIN phood_action pa ON pa.id = pf.action_taken_id
WHERE pf.logged_time >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ
  AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'$t$,
'id BIGINT, store TEXT, logged_time TIMESTAMPTZ, action_taken_id INTEGER, flags TEXT, weight NUMERIC(10,3)',
'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_id ON {SCHEMA}.{VIEW_NAME} (id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_logged_time ON {SCHEMA}.{VIEW_NAME} (logged_time);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_store ON {SCHEMA}.{VIEW_NAME} (store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_action_taken_id ON {SCHEMA}.{VIEW_NAME} (action_taken_id);'),
('storedaily', 'Daily waste per store',
$t$SELECT
    '{TARGET_DATE}'::DATE AS log_date,
    pl.name AS store,
    COUNT(*) AS log_count,
    SUM(pf.weight)::NUMERIC(12,3) AS total_weight,
    COALESCE(SUM(pf.weight) FILTER (WHERE pa.name = 'Discarded'), 0)::NUMERIC(12,3) AS discarded_weight
FROM phood_foodlogsum pf
JOIN phood_location pl ON pl.id = pf.location_id
JOIN phood_action pa ON pa.id = pf.action_taken_id
WHERE pf.logged_time >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ
  AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'
GROUP BY pl.name$t$,
'log_date DATE, store TEXT, log_count BIGINT, total_weight NUMERIC(12,3), discarded_weight NUMERIC(12,3)',
'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_log_date_store ON {SCHEMA}.{VIEW_NAME} (log_date, store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_store ON {SCHEMA}.{VIEW_NAME} (store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_log_count ON {SCHEMA}.{VIEW_NAME} (log_count);'),
('orderlines', 'Order lines per day',
$t$SELECT o.id AS order_id, l.line_no, l.sku, l.quantity, l.unit_price, o.ordered_at, o.channel
FROM orders o
JOIN order_lines l ON l.order_id = o.id
WHERE o.ordered_at >= '{TARGET_DATE}'::DATE AND o.ordered_at < '{TARGET_DATE}'::DATE + 1$t$,
'order_id BIGINT, line_no INTEGER, sku VARCHAR(32), quantity INTEGER, unit_price NUMERIC(10,2), ordered_at TIMESTAMPTZ, channel TEXT',
'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_order_line ON {SCHEMA}.{VIEW_NAME} (order_id, line_no);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_sku ON {SCHEMA}.{VIEW_NAME} (sku);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_ordered_at ON {SCHEMA}.{VIEW_NAME} (ordered_at);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_channel ON {SCHEMA}.{VIEW_NAME} (channel);'),
('sessionevents', 'Web session events per day',
$t$SELECT e.id AS event_id, e.session_id, s.user_id, e.event_type, e.occurred_at, e.duration_ms, e.payload, s.is_bot
FROM events e
JOIN sessions s ON s.id = e.session_id
WHERE e.occurred_at >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ
  AND e.occurred_at < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'$t$,
'event_id UUID, session_id BIGINT, user_id BIGINT, event_type TEXT, occurred_at TIMESTAMPTZ, duration_ms INTEGER, payload JSONB, is_bot BOOLEAN',
'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_event_id ON {SCHEMA}.{VIEW_NAME} (event_id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_session_id ON {SCHEMA}.{VIEW_NAME} (session_id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_occurred_at ON {SCHEMA}.{VIEW_NAME} (occurred_at);');

-- The column names of a template, in order (`id BIGINT, store TEXT` → {id, store}).
CREATE OR REPLACE FUNCTION _bench.column_names(p_template text)
RETURNS text[]
LANGUAGE sql STABLE
AS $$
    SELECT array_agg(split_part(btrim(c), ' ', 1) ORDER BY n)
    FROM _wh.mv_templates t,
         regexp_split_to_table(t.column_definitions, ',\s*(?![0-9])') WITH ORDINALITY AS u(c, n)
    WHERE t.template_name = p_template
$$;

-- The template's CREATE INDEX lines for one relation.
CREATE OR REPLACE FUNCTION _bench.index_statements(p_template text, p_schema text, p_relation text)
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT replace(replace(replace(line, '{SCHEMA}.{VIEW_NAME}', format('%I.%I', p_schema, p_relation)),
                           '{SCHEMA}', p_schema), '{VIEW_NAME}', p_relation)
    FROM _wh.mv_templates t, unnest(string_to_array(t.indexes, E'\n')) AS line
    WHERE t.template_name = p_template AND btrim(line) <> ''
$$;

CREATE OR REPLACE PROCEDURE _bench.build_catalog_scale(p_tenants integer, p_days integer,
                                                       p_year integer DEFAULT 2026,
                                                       p_first_year integer DEFAULT 2024,
                                                       p_stamp boolean DEFAULT false,
                                                       p_batch integer DEFAULT 200)
LANGUAGE plpgsql
AS $$
DECLARE
    tenant    text;
    server    text;
    tpl       record;
    cols      text;
    day       date;
    rel       text;
    statement text;
    members   text;
    built     integer := 0;
    i         integer;
    y         integer;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analysts') THEN
        CREATE ROLE analysts NOLOGIN;
    END IF;
    FOR i IN 1 .. p_tenants LOOP
        tenant := format('tenant_%s', lpad(i::text, 2, '0'));
        server := tenant || '-prod';
        EXECUTE format('CREATE SCHEMA %I', tenant);
        EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host %L, port %L, dbname %L)',
                       server, 'db-' || tenant || '.internal', '5432', tenant);
        FOR tpl IN SELECT * FROM _wh.mv_templates ORDER BY template_name LOOP
            cols := array_to_string(_bench.column_names(tpl.template_name), ', ');
            FOR y IN p_first_year .. p_year - 1 LOOP
                rel := format('%s_%s', tpl.template_name, y);
                EXECUTE format('CREATE TABLE %I.%I (%s)', tenant, rel, tpl.column_definitions);
                FOR statement IN SELECT _bench.index_statements(tpl.template_name, tenant, rel) LOOP
                    EXECUTE statement;
                END LOOP;
            END LOOP;
            FOR day IN SELECT generate_series(make_date(p_year, 1, 1), make_date(p_year, 1, 1) + p_days - 1, '1 day')::date LOOP
                rel := format('%s_%s', tpl.template_name, to_char(day, 'YYYY_MM_DD'));
                EXECUTE format('CREATE MATERIALIZED VIEW %I.%I AS SELECT * FROM dblink(%L, $q$%s$q$) AS t(%s) WITH NO DATA',
                               tenant, rel, server,
                               replace(tpl.query_template, '{TARGET_DATE}', to_char(day, 'YYYY-MM-DD')),
                               tpl.column_definitions);
                FOR statement IN SELECT _bench.index_statements(tpl.template_name, tenant, rel) LOOP
                    EXECUTE statement;
                END LOOP;
                IF p_stamp THEN
                    EXECUTE format('COMMENT ON MATERIALIZED VIEW %I.%I IS %L', tenant, rel,
                                   'warden: spec=' || left(md5(tpl.template_name || tpl.query_template || tpl.column_definitions || day), 16));
                END IF;
                built := built + 1;
                IF built % p_batch = 0 THEN
                    COMMIT;
                END IF;
            END LOOP;
            -- The tenant union view: yearly tables then daily MVs, oldest first, columns named.
            SELECT string_agg(format('SELECT %s FROM %I.%I', cols, tenant, c.relname), E'\nUNION ALL\n' ORDER BY c.relname)
              INTO members
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = tenant AND c.relkind IN ('r', 'm')
              AND c.relname ~ ('^' || tpl.template_name || '_[0-9]{4}(_[0-9]{2}_[0-9]{2})?$');
            EXECUTE format('CREATE VIEW %I.%I AS %s', tenant, tpl.template_name, members);
            COMMIT;
        END LOOP;
        IF i = 1 THEN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = tenant || '_readers') THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', tenant || '_readers');
            END IF;
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', tenant, tenant || '_readers');
            FOR tpl IN SELECT * FROM _wh.mv_templates LOOP
                EXECUTE format('GRANT SELECT ON %I.%I TO %I', tenant, tpl.template_name, tenant || '_readers');
            END LOOP;
        END IF;
        COMMIT;
    END LOOP;
    -- The public views: every tenant view, with the tenant column first.
    FOR tpl IN SELECT * FROM _wh.mv_templates ORDER BY template_name LOOP
        cols := array_to_string(_bench.column_names(tpl.template_name), ', ');
        SELECT string_agg(format('SELECT %L::text AS tenant, %s FROM %I.%I', n.nspname, cols, n.nspname, tpl.template_name),
                          E'\nUNION ALL\n' ORDER BY n.nspname)
          INTO members
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND c.relname = tpl.template_name AND n.nspname LIKE 'tenant\_%';
        EXECUTE format('CREATE VIEW public.%I AS %s', tpl.template_name, members);
        EXECUTE format('GRANT SELECT ON public.%I TO analysts', tpl.template_name);
        COMMIT;
    END LOOP;
END
$$;

-- Stamps every daily MV as warden stamps its own (`warden: spec=<16 hex digits>`), committing every
-- p_batch comments: turns a legacy copy of the warehouse into a warden-managed one.
CREATE OR REPLACE PROCEDURE _bench.stamp_all(p_batch integer DEFAULT 1000)
LANGUAGE plpgsql
AS $$
DECLARE
    rec  record;
    done integer := 0;
BEGIN
    FOR rec IN
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'm' AND n.nspname LIKE 'tenant\_%' ORDER BY 1, 2
    LOOP
        EXECUTE format('COMMENT ON MATERIALIZED VIEW %I.%I IS %L', rec.nspname, rec.relname,
                       'warden: spec=' || left(md5(rec.relname), 16));
        done := done + 1;
        IF done % p_batch = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
