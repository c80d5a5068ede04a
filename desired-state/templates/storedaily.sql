SELECT
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
GROUP BY pl.name
