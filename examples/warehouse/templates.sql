-- examples/warehouse/templates.sql
--
-- The demo warehouse's templates, as rows of seed 000's registry `_wh.mv_templates`. Run in the
-- warehouse database after seed_functions.sql. Idempotent: rerunning it resets both rows to these
-- definitions. Plain SQL, no psql meta-commands.
--
-- foodlogstats  one row per food-log entry and day (seed 000's template, before its add-a-column
--               example: the source already has waste_category, the warehouse does not yet).
-- storedaily    one row per store and day: counts and weights.

INSERT INTO _wh.mv_templates (template_name, description, query_template, column_definitions, indexes)
VALUES (
    'foodlogstats',
    'Daily food log statistics',
    $template$SELECT
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
  AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'$template$,
    $columns$id BIGINT,
store TEXT,
logged_time TIMESTAMPTZ,
action_taken_id INTEGER,
flags TEXT,
weight NUMERIC(10,3)$columns$,
    'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_id ON {SCHEMA}.{VIEW_NAME} (id);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_logged_time ON {SCHEMA}.{VIEW_NAME} (logged_time);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_store ON {SCHEMA}.{VIEW_NAME} (store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_action_taken_id ON {SCHEMA}.{VIEW_NAME} (action_taken_id);'
), (
    'storedaily',
    'Daily waste per store: entries, total and discarded weight',
    $template$SELECT
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
GROUP BY pl.name$template$,
    $columns$log_date DATE,
store TEXT,
log_count BIGINT,
total_weight NUMERIC(12,3),
discarded_weight NUMERIC(12,3)$columns$,
    'CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_log_date_store ON {SCHEMA}.{VIEW_NAME} (log_date, store);
CREATE INDEX idx_{SCHEMA}_{VIEW_NAME}_store ON {SCHEMA}.{VIEW_NAME} (store);'
)
ON CONFLICT (template_name) DO UPDATE
SET description        = EXCLUDED.description,
    query_template     = EXCLUDED.query_template,
    column_definitions = EXCLUDED.column_definitions,
    indexes            = EXCLUDED.indexes;
