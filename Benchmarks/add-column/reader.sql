-- Benchmarks/add-column/reader.sql — a reader of the public view, on one connection, every 50 ms.
--
-- Each query prints one line: when it started (Unix seconds), how long it took in milliseconds (lock
-- waits included) and the error it got, if any (then the time is how long the error took to come).
-- The query runs inside a function that catches its error, so \watch keeps going while the view is
-- gone. Stop it with SIGINT.
--
--   psql -X -q -At -F '|' -d warehouse -f reader.sql > reader.log

CREATE FUNCTION pg_temp.read_public(OUT started double precision, OUT ms double precision, OUT error text)
LANGUAGE plpgsql AS $$
DECLARE
    t0    timestamptz := clock_timestamp();
    total bigint;
BEGIN
    started := extract(epoch FROM t0);
    BEGIN
        EXECUTE 'SELECT count(*) FROM public.foodlogstats' INTO total;
    EXCEPTION WHEN OTHERS THEN
        error := SQLERRM;
    END;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
END
$$;

SELECT * FROM pg_temp.read_public() \watch 0.05
