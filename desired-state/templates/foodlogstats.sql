SELECT
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
  AND pf.logged_time < '{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ + INTERVAL '1 day'
