SELECT id, store, weight
FROM {TENANT}.foodlogs
WHERE day = '{TARGET_DATE}'
