-- examples/changes/seed_add_waste_category.sql
--
-- Seed 000's "Complete Example Script", by hand, on the demo warehouse: add the source's
-- waste_category column to foodlogstats with the "controlled partial nuke" (the seed's Phases 2-5).
-- This is the baseline warden is measured against: the public view is gone from the first
-- transaction until the end, and the recreated views have lost their grants (analysts on the
-- public view, landb_readers on landb.foodlogstats), as they do when the seed's procedure runs.
--
-- "Current year" and "yesterday" come from _wh.current_date_utc(); to replay it on a warehouse
-- built as of another date, pin that date in the same session first:
--
--   SET wh.as_of = '2026-03-15';
--
-- Every phase is an explicit transaction, so the file behaves the same through `psql -f` and as one
-- libpq PQexec string. Tenants are listed by hand, as the seed's engineer does.

-- Phase 2: drop views, extend yearly tables, drop the current year's MVs (downtime starts).
BEGIN;
SELECT _wh.drop_public_view_by_template('foodlogstats');
SELECT _wh.drop_all_tenant_union_views_by_template('foodlogstats');
SELECT _wh.add_column_to_yearly_tables_by_template('foodlogstats', 'waste_category', 'TEXT', 'UNKNOWN', true);
SELECT _wh.drop_current_year_mvs_by_template('foodlogstats', extract(year FROM _wh.current_date_utc())::integer);
COMMIT;

-- Phase 3: update the template.
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
waste_category TEXT$columns$,
    indexes = 'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_id ON {SCHEMA}.{VIEW_NAME} (id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_logged_time ON {SCHEMA}.{VIEW_NAME} (logged_time);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_store ON {SCHEMA}.{VIEW_NAME} (store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_action_taken_id ON {SCHEMA}.{VIEW_NAME} (action_taken_id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_waste_category ON {SCHEMA}.{VIEW_NAME} (waste_category);'
WHERE template_name = 'foodlogstats';
COMMIT;

-- Phase 4: rebuild the current year's MVs, tenant by tenant.
BEGIN;
SELECT _wh.update_mv_window_by_template('foodlogstats', 'landb-prod', 'landb',
    date_trunc('year', _wh.current_date_utc())::date, _wh.current_date_utc() - INTERVAL '1 day');
COMMIT;
BEGIN;
SELECT _wh.update_mv_window_by_template('foodlogstats', 'acme-prod', 'acme',
    date_trunc('year', _wh.current_date_utc())::date, _wh.current_date_utc() - INTERVAL '1 day');
COMMIT;
BEGIN;
SELECT _wh.update_mv_window_by_template('foodlogstats', 'bistro-prod', 'bistro',
    date_trunc('year', _wh.current_date_utc())::date, _wh.current_date_utc() - INTERVAL '1 day');
COMMIT;

-- Phase 5: recreate the views (downtime ends).
BEGIN;
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'landb');
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'acme');
SELECT _wh.update_tenant_union_view_by_template('foodlogstats', 'bistro');
SELECT _wh.update_public_view_by_template('foodlogstats');
COMMIT;
