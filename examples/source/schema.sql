-- examples/source/schema.sql
--
-- A tenant's source database: the food-log tables the warehouse reads through dblink
-- (seed 000's `phood_foodlogsum`), and functions that fill them with deterministic synthetic data.
--
-- Run once in each tenant database (src_landb, src_acme, src_bistro, ...). Idempotent: rerunning
-- it keeps the data and replaces the functions. Plain SQL, no psql meta-commands, so it runs
-- through libpq's PQexec as one string. Then, in the same database:
--
--   SELECT demo_create_stores('landb', 5);
--   SELECT demo_generate_foodlogs('2024-01-01', '2026-03-15', 60, 0.11);
--
-- Same arguments, same rows: every value is a hash of (seed, day, row), never random().

-- Stores. Each store logs in its own local business hours; the warehouse cuts days in UTC, so an
-- evening service lands partly on the next warehouse day, as it does in production.
CREATE TABLE IF NOT EXISTS phood_location (
    id       integer PRIMARY KEY,
    name     text    NOT NULL UNIQUE,
    timezone text    NOT NULL DEFAULT 'America/Chicago'
);

-- What happened to the food.
CREATE TABLE IF NOT EXISTS phood_action (
    id   integer PRIMARY KEY,
    name text    NOT NULL UNIQUE
);

-- What the food was.
CREATE TABLE IF NOT EXISTS phood_food_item (
    id       integer PRIMARY KEY,
    name     text    NOT NULL UNIQUE,
    category text    NOT NULL
);

-- One row per weighing. `waste_category` exists in the source but not (yet) in the warehouse's
-- foodlogstats template: seed 000's add-a-column example adds exactly this column.
CREATE TABLE IF NOT EXISTS phood_foodlogsum (
    id              bigint        PRIMARY KEY,
    location_id     integer       NOT NULL REFERENCES phood_location (id),
    logged_time     timestamptz   NOT NULL,
    action_taken_id integer       NOT NULL REFERENCES phood_action (id),
    flags           text,
    weight          numeric(10,3) NOT NULL,
    waste_category  text,
    food_item_id    integer       REFERENCES phood_food_item (id),
    station         text
);

-- Every warehouse query reads one UTC day.
CREATE INDEX IF NOT EXISTS phood_foodlogsum_logged_time_idx ON phood_foodlogsum (logged_time);

INSERT INTO phood_action (id, name) VALUES
    (1, 'Discarded'),
    (2, 'Composted'),
    (3, 'Donated'),
    (4, 'Repurposed'),
    (5, 'Animal feed')
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;

INSERT INTO phood_food_item (id, name, category) VALUES
    ( 1, 'Romaine lettuce',   'produce'),
    ( 2, 'Tomatoes',          'produce'),
    ( 3, 'Onions',            'produce'),
    ( 4, 'Potatoes',          'produce'),
    ( 5, 'Strawberries',      'produce'),
    ( 6, 'Carrots',           'produce'),
    ( 7, 'Chicken breast',    'protein'),
    ( 8, 'Salmon fillet',     'protein'),
    ( 9, 'Beef chuck',        'protein'),
    (10, 'Eggs',              'protein'),
    (11, 'Steamed rice',      'grain'),
    (12, 'Penne pasta',       'grain'),
    (13, 'Sourdough bread',   'bakery'),
    (14, 'Croissants',        'bakery'),
    (15, 'Whole milk',        'dairy'),
    (16, 'Cheddar cheese',    'dairy'),
    (17, 'Minestrone soup',   'prepared'),
    (18, 'Caesar salad',      'prepared'),
    (19, 'Roast vegetables',  'prepared'),
    (20, 'Fruit cup',         'prepared')
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category;

-- A uniform number in [0, 1) that depends only on its arguments (hash-based, so reruns, parallel
-- plans and different call orders all give the same data).
CREATE OR REPLACE FUNCTION demo_rand(seed bigint, day_number integer, seq integer, salt integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (hashint8extended(day_number::bigint * 100000000 + seq::bigint * 100 + salt, seed)
            & 9007199254740991)::double precision / 9007199254740992.0
$$;

-- Creates the tenant's stores: '<Tenant> Downtown', '<Tenant> Riverside', ... in a few US time
-- zones. Idempotent; returns the number of stores the tenant has afterwards.
CREATE OR REPLACE FUNCTION demo_create_stores(tenant text, store_count integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    places constant text[] := ARRAY['Downtown', 'Riverside', 'Airport', 'University', 'Midtown',
                                    'Lakeside', 'Old Town', 'Harbor', 'Uptown', 'Westgate',
                                    'Northpoint', 'Southside'];
    zones  constant text[] := ARRAY['America/Chicago', 'America/New_York', 'America/Denver',
                                    'America/Los_Angeles'];
    total integer;
BEGIN
    IF tenant IS NULL OR tenant = '' THEN
        RAISE EXCEPTION 'demo_create_stores: tenant must not be empty';
    END IF;
    IF store_count IS NULL OR store_count < 1 OR store_count > 100 THEN
        RAISE EXCEPTION 'demo_create_stores: store_count must be between 1 and 100, got %', store_count;
    END IF;

    INSERT INTO phood_location (id, name, timezone)
    SELECT i,
           initcap(tenant) || ' ' || places[(i - 1) % 12 + 1]
               || CASE WHEN i > 12 THEN ' ' || ((i - 1) / 12 + 1)::text ELSE '' END,
           zones[(i - 1) % 4 + 1]
    FROM generate_series(1, store_count) AS i
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone;

    SELECT count(*) INTO total FROM phood_location;
    RETURN total;
END
$$;

-- Fills phood_foodlogsum for the local days first_day .. last_day (inclusive) and returns the
-- number of rows written. Rows of those days are replaced, so reruns are idempotent and a later
-- call can extend the history day by day.
--
--   rows_per_day  the tenant's average rows per day over all its stores. A day's count varies with
--                 the weekday (busier Fri-Sun), the season (busier in summer) and +/-15 % noise;
--                 stores are closed on Dec 25 (an empty day). At most 50000.
--   seed          any number; the same seed gives the same rows.
--
-- Rows: business-hours timestamps in the store's zone (prep 06:00-10:30, lunch 11:00-14:00,
-- dinner 17:00-21:00, closing 21:00-22:30), weights in kg with three decimals, about 55 % NULL
-- flags, waste categories trim/spoilage/overproduction/plate (2 % NULL), actions that follow the
-- category. id = (day - 2000-01-01) * 100000 + the row's rank in its day by time, so ids grow with
-- time and never collide.
CREATE OR REPLACE FUNCTION demo_generate_foodlogs(first_day date, last_day date, rows_per_day integer,
                                                  seed double precision)
RETURNS bigint
LANGUAGE plpgsql
SET jit = off  -- the row estimates of generate_series are wild; JIT would cost more than the work
AS $$
DECLARE
    stores  integer[];
    n_items integer;
    seedh   bigint;
    written bigint;
BEGIN
    IF first_day IS NULL OR last_day IS NULL OR last_day < first_day THEN
        RAISE EXCEPTION 'demo_generate_foodlogs: need first_day <= last_day, got % .. %', first_day, last_day;
    END IF;
    IF rows_per_day IS NULL OR rows_per_day < 0 OR rows_per_day > 50000 THEN
        RAISE EXCEPTION 'demo_generate_foodlogs: rows_per_day must be between 0 and 50000, got %', rows_per_day;
    END IF;
    SELECT array_agg(id ORDER BY id) INTO stores FROM phood_location;
    IF stores IS NULL THEN
        RAISE EXCEPTION 'demo_generate_foodlogs: phood_location has no stores'
            USING HINT = 'Call demo_create_stores(tenant, store_count) first.';
    END IF;
    SELECT count(*) INTO n_items FROM phood_food_item;
    seedh := hashfloat8extended(coalesce(seed, 0), 0);

    DELETE FROM phood_foodlogsum
    WHERE id BETWEEN (first_day - date '2000-01-01')::bigint * 100000
                 AND (last_day - date '2000-01-01')::bigint * 100000 + 99999;

    INSERT INTO phood_foodlogsum (id, location_id, logged_time, action_taken_id, flags, weight,
                                  waste_category, food_item_id, station)
    WITH days AS (
        SELECT d::date AS day, (d::date - date '2000-01-01') AS dn
        FROM generate_series(first_day::timestamp, last_day::timestamp, interval '1 day') AS d
    ),
    counts AS (
        SELECT day, dn,
               CASE WHEN extract(month FROM day) = 12 AND extract(day FROM day) = 25 THEN 0
                    ELSE round(rows_per_day
                               * (ARRAY[0.90, 0.85, 0.90, 0.95, 1.05, 1.20, 1.15])[extract(isodow FROM day)::int]
                               * (1 + 0.08 * sin(2 * pi() * (extract(doy FROM day) - 105) / 365.25))
                               * (0.85 + 0.30 * demo_rand(seedh, dn, 0, 0)))::int
               END AS n
        FROM days
    ),
    draws AS (
        SELECT c.day, c.dn, s.seq,
               demo_rand(seedh, c.dn, s.seq, 1) AS r_store,
               demo_rand(seedh, c.dn, s.seq, 2) AS r_slot,
               demo_rand(seedh, c.dn, s.seq, 3) AS r_time,
               demo_rand(seedh, c.dn, s.seq, 4) AS r_action,
               demo_rand(seedh, c.dn, s.seq, 5) AS r_flags,
               demo_rand(seedh, c.dn, s.seq, 6) AS r_weight,
               demo_rand(seedh, c.dn, s.seq, 7) AS r_station,
               demo_rand(seedh, c.dn, s.seq, 8) AS r_category,
               demo_rand(seedh, c.dn, s.seq, 9) AS r_item,
               demo_rand(seedh, c.dn, s.seq, 10) AS r_null
        FROM counts c
        CROSS JOIN LATERAL generate_series(1, c.n) AS s(seq)
    ),
    slotted AS (
        SELECT d.*,
               -- bigger stores first: store 1 gets the most rows
               stores[1 + floor(power(r_store, 1.4) * cardinality(stores))::int] AS location_id,
               CASE WHEN r_slot < 0.22 THEN 'prep'
                    WHEN r_slot < 0.57 THEN 'lunch'
                    WHEN r_slot < 0.92 THEN 'dinner'
                    ELSE 'closing' END AS slot
        FROM draws d
    ),
    timed AS (
        SELECT s.*,
               CASE slot WHEN 'prep'   THEN interval '6 hours'
                         WHEN 'lunch'  THEN interval '11 hours'
                         WHEN 'dinner' THEN interval '17 hours'
                         ELSE interval '21 hours' END
               + make_interval(secs => floor(r_time * CASE slot WHEN 'prep'   THEN 16200
                                                                WHEN 'lunch'  THEN 10800
                                                                WHEN 'dinner' THEN 14400
                                                                ELSE 5400 END)) AS local_offset,
               CASE WHEN slot = 'prep' THEN 'prep'
                    WHEN slot = 'closing' THEN 'line'
                    WHEN r_station < 0.45 THEN 'dish return'
                    ELSE 'line' END AS station
        FROM slotted s
    ),
    categorized AS (
        SELECT t.*,
               CASE WHEN r_null < 0.02 THEN NULL
                    WHEN station = 'dish return' THEN 'plate'
                    WHEN slot = 'prep' THEN CASE WHEN r_category < 0.65 THEN 'trim'
                                                 WHEN r_category < 0.90 THEN 'spoilage'
                                                 ELSE 'overproduction' END
                    WHEN slot = 'closing' THEN CASE WHEN r_category < 0.70 THEN 'overproduction'
                                                    ELSE 'spoilage' END
                    ELSE CASE WHEN r_category < 0.55 THEN 'overproduction'
                              WHEN r_category < 0.75 THEN 'spoilage'
                              ELSE 'trim' END
               END AS waste_category
        FROM timed t
    ),
    valued AS (
        SELECT c.*,
               ((c.day + c.local_offset) AT TIME ZONE pl.timezone) AS logged_time,
               CASE c.waste_category
                   WHEN 'plate' THEN CASE WHEN r_action < 0.70 THEN 1 ELSE 2 END
                   WHEN 'overproduction' THEN CASE WHEN r_action < 0.35 THEN 3
                                                   WHEN r_action < 0.60 THEN 4
                                                   WHEN r_action < 0.85 THEN 1
                                                   ELSE 5 END
                   WHEN 'trim' THEN CASE WHEN r_action < 0.55 THEN 2
                                         WHEN r_action < 0.75 THEN 4
                                         ELSE 1 END
                   WHEN 'spoilage' THEN CASE WHEN r_action < 0.60 THEN 1
                                             WHEN r_action < 0.90 THEN 2
                                             ELSE 5 END
                   ELSE 1
               END AS action_taken_id,
               CASE WHEN r_flags < 0.55 THEN NULL
                    WHEN r_flags < 0.685 THEN 'manual_entry'
                    WHEN r_flags < 0.82 THEN 'reviewed'
                    WHEN r_flags < 0.8875 THEN 'photo_missing'
                    WHEN r_flags < 0.9325 THEN 'scale_adjusted'
                    ELSE 'manual_entry,reviewed' END AS flags,
               round((CASE c.waste_category
                          WHEN 'plate'          THEN 0.020 + 0.78 * r_weight * r_weight
                          WHEN 'trim'           THEN 0.050 + 2.45 * r_weight * r_weight
                          WHEN 'spoilage'       THEN 0.200 + 5.80 * r_weight * r_weight
                          WHEN 'overproduction' THEN 0.300 + 8.70 * r_weight * r_weight
                          ELSE 0.100 + 2.90 * r_weight * r_weight
                      END)::numeric, 3) AS weight,
               1 + floor(power(r_item, 1.3) * n_items)::int AS food_item_id
        FROM categorized c
        JOIN phood_location pl ON pl.id = c.location_id
    )
    SELECT dn::bigint * 100000 + row_number() OVER (PARTITION BY dn ORDER BY logged_time, seq),
           location_id, logged_time, action_taken_id, flags, weight, waste_category,
           food_item_id, station
    FROM valued;

    GET DIAGNOSTICS written = ROW_COUNT;
    ANALYZE phood_foodlogsum;
    RETURN written;
END
$$;
