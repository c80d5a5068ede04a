-- examples/warehouse/connections.sql
--
-- dblink and the tenant connections of the demo warehouse. Run in the warehouse database, then
-- create one connection per tenant:
--
--   SELECT _wh_demo.create_tenant_connection('landb-prod', 'src_landb', '/tmp/pg-socket', 5432, 'postgres');
--
-- A connection is a dblink foreign server named as seed 000 names connections (<tenant>-prod) plus
-- a user mapping for the current user; credentials live in the mapping, never in a template.
-- `host` may be a host name or, for a Unix socket, the absolute socket directory. dblink lets a
-- superuser connect without a password (trust authentication, as in tests); a non-superuser needs a
-- password in the mapping and password authentication on the source.
--
-- Idempotent. Plain SQL, no psql meta-commands.

CREATE EXTENSION IF NOT EXISTS dblink;

-- Demo-only helpers live apart from the seed's `_wh` schema. warden ignores this schema: it holds
-- no tenant views (and `_wh_demo` is no valid tenant name).
CREATE SCHEMA IF NOT EXISTS _wh_demo;

-- Creates or replaces the foreign server p_connection (FOREIGN DATA WRAPPER dblink_fdw, OPTIONS
-- host/port/dbname; a NULL host or port is left to libpq's defaults) and the user mapping FOR
-- CURRENT_USER (OPTIONS user/password when given). Replacing drops the server's old user mappings.
-- Result: {"success": true, "server", "options"}.
CREATE OR REPLACE FUNCTION _wh_demo.create_tenant_connection(p_connection text, p_dbname text,
                                                             p_host text DEFAULT NULL,
                                                             p_port integer DEFAULT NULL,
                                                             p_username text DEFAULT NULL,
                                                             p_password text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SET client_min_messages = warning   -- no "drop cascades to user mapping" notices
AS $$
DECLARE
    server_options  jsonb;
    mapping_options jsonb;
    server_sql      text;
    mapping_sql     text;
BEGIN
    IF p_connection IS NULL OR p_connection = '' OR p_dbname IS NULL OR p_dbname = '' THEN
        RAISE EXCEPTION 'create_tenant_connection: connection and dbname must not be empty';
    END IF;

    server_options := jsonb_strip_nulls(jsonb_build_object('host', p_host, 'port', p_port::text, 'dbname', p_dbname));
    mapping_options := jsonb_strip_nulls(jsonb_build_object('user', p_username, 'password', p_password));

    SELECT string_agg(format('%I %L', key, value), ', ') INTO server_sql FROM jsonb_each_text(server_options);
    SELECT string_agg(format('%I %L', key, value), ', ') INTO mapping_sql FROM jsonb_each_text(mapping_options);

    IF EXISTS (SELECT FROM pg_foreign_server WHERE srvname = p_connection) THEN
        EXECUTE format('DROP SERVER %I CASCADE', p_connection);
    END IF;
    EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER dblink_fdw OPTIONS (%s)', p_connection, server_sql);
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I%s', p_connection,
                   CASE WHEN mapping_sql IS NULL THEN '' ELSE ' OPTIONS (' || mapping_sql || ')' END);

    RETURN jsonb_build_object('success', true, 'server', p_connection,
                              'options', server_options || jsonb_strip_nulls(jsonb_build_object('user', p_username)));
END
$$;

-- Connects through the foreign server and returns the name of the database it reached; raises
-- when the connection does not work.
CREATE OR REPLACE FUNCTION _wh_demo.check_tenant_connection(p_connection text)
RETURNS text
LANGUAGE sql
AS $$
    SELECT t.db FROM dblink(p_connection, 'SELECT current_database()::text') AS t(db text)
$$;
