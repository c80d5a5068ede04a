SELECT id, store, weight
FROM foodlogs
WHERE day = '{TARGET_DATE}'
