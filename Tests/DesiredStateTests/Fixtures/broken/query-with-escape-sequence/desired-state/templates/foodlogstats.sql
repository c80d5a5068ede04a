SELECT id, store, weight
FROM foodlogs -- [2K[1A hidden
WHERE day = '{TARGET_DATE}'::date
