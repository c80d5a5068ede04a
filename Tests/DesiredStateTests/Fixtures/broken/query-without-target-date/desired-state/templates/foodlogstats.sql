SELECT id, store, weight
FROM foodlogs
WHERE day = current_date - 1
