-- Benchmarks/add-column/plain-add-column.sql
--
-- Seed 000's add-a-column runbook (its Phases 2-5, as in examples/changes/seed_add_waste_category.sql),
-- done by hand with plain SQL, one step after the other: the baseline `warden apply` is timed against.
-- It does the same work warden's plan does for the same change, no more:
--
--   * foodlogstats gains waste_category text, 'UNKNOWN' on the yearly tables (ADD COLUMN ... DEFAULT,
--     without the index the seed's example also adds: warden's desired change has none);
--   * every current-year daily view is rebuilt with the new column and the template's four indexes;
--   * the tenant union views and the public view are recreated, and their grants given back (warden's
--     views keep theirs; here the drop loses them, so they are granted again at the end).
--
-- psql variables: as_of (the warehouse's today, YYYY-MM-DD) and tenants (schema names, space separated):
--
--   psql -X -v ON_ERROR_STOP=1 -v as_of=2026-11-20 -v tenants='landb acme bistro' -f plain-add-column.sql
--
-- Every phase is its own transaction, every tenant's rebuild too, as in the seed.

\set QUIET on
SET wh.as_of = :'as_of';
\timing on

-- Phase 2: drop the views, extend the yearly tables, drop the current year's daily views (downtime
-- starts: the public view is gone).
BEGIN;
SELECT _wh.drop_public_view_by_template('foodlogstats');
SELECT _wh.drop_all_tenant_union_views_by_template('foodlogstats');
SELECT _wh.add_column_to_yearly_tables_by_template('foodlogstats', 'waste_category', 'TEXT', 'UNKNOWN', false);
SELECT _wh.drop_current_year_mvs_by_template('foodlogstats', extract(year FROM _wh.current_date_utc())::integer);
COMMIT;

-- Phase 3: the template gains the column (its indexes stay).
BEGIN;
UPDATE _wh.mv_templates
SET query_template = $template$SELECT
    pf.id,
    pl.name AS store,
    pf.logged_time,
    pa.id AS action_taken_id,
    pf.flags,
    pf.weight,
    pf.waste_category
FROM phood_foodlogsum pf
JOIN phood_location pl ON pl.id = pf.location_id
JOIN phood_action pa ON pa.id = pf.action_taken_id
WHERE pf.logged_time >= '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ
  AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'$template$,
    column_definitions = $columns$id BIGINT,
store TEXT,
logged_time TIMESTAMPTZ,
action_taken_id INTEGER,
flags TEXT,
weight NUMERIC(10,3),
waste_category TEXT$columns$
WHERE template_name = 'foodlogstats';
COMMIT;

-- Phase 4: rebuild the current year's daily views, tenant by tenant (one transaction each; \gexec
-- runs each generated statement on its own, as the seed's engineer runs one per tenant).
SELECT format(
    'SELECT _wh.update_mv_window_by_template(%L, %L, %L, %L::date, %L::date)',
    'foodlogstats', tenant || '-prod', tenant,
    date_trunc('year', _wh.current_date_utc())::date, _wh.current_date_utc() - 1)
FROM unnest(string_to_array(:'tenants', ' ')) WITH ORDINALITY AS t (tenant, position)
ORDER BY position
\gexec

-- Phase 5: recreate the views (downtime ends) and give their grants back.
BEGIN;
SELECT format('SELECT _wh.update_tenant_union_view_by_template(%L, %L)', 'foodlogstats', tenant)
FROM unnest(string_to_array(:'tenants', ' ')) WITH ORDINALITY AS t (tenant, position)
ORDER BY position
\gexec
SELECT _wh.update_public_view_by_template('foodlogstats');
GRANT SELECT ON public.foodlogstats TO analysts;
GRANT SELECT ON landb.foodlogstats TO landb_readers;
COMMIT;
