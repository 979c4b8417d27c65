-- Separate roles for a team's ledger on PostgreSQL: recorders cannot touch the
-- read models. Run as a superuser once per database, after `ledger init` has been
-- run by the owner role (see docs/postgres-roles.sql for the owner and for the
-- single combined role, and docs/operations.md for when to use which).
--
--   ledger_recorder   records (events, checkpoints) and reads everything. It
--                     cannot write a read-model row: a forged name, status or
--                     audit row cannot come from it. Its commands leave the
--                     projecting to the projector and wait for it (up to
--                     LEDGER_PROJECTOR_WAIT_S seconds, 10 by default).
--   ledger_projector  runs `ledger project --follow` and `ledger rebuild`: reads
--                     the stored events, writes the read models and the tracked
--                     position. It cannot record an event or a checkpoint.
--
-- Neither can disable or drop a trigger, TRUNCATE, or change a stored event or
-- a checkpoint. `ledger verify` recomputes the read models from the events and
-- names any row that differs, whoever wrote it.
--
-- psql -v recorder_password="'...'" -v projector_password="'...'" \
--      -v DBNAME=ledger -f docs/postgres-team-roles.sql ledger

CREATE ROLE ledger_recorder LOGIN PASSWORD :recorder_password NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE ledger_projector LOGIN PASSWORD :projector_password NOSUPERUSER NOCREATEDB NOCREATEROLE;
GRANT CONNECT ON DATABASE :"DBNAME" TO ledger_recorder, ledger_projector;
GRANT USAGE ON SCHEMA public TO ledger_recorder, ledger_projector;

-- The recorder: append events (UPDATE only for the library's LOCK TABLE ... IN
-- EXCLUSIVE MODE; the trigger refuses any UPDATE) and checkpoints; read the rest.
GRANT SELECT, INSERT, UPDATE ON stored_events TO ledger_recorder;
GRANT USAGE, SELECT ON SEQUENCE stored_events_notification_id_seq TO ledger_recorder;
GRANT SELECT, INSERT ON checkpoints TO ledger_recorder;
GRANT USAGE, SELECT ON SEQUENCE checkpoints_id_seq TO ledger_recorder;
GRANT SELECT, INSERT ON signing_keys TO ledger_recorder;
GRANT USAGE, SELECT ON SEQUENCE signing_keys_id_seq TO ledger_recorder;
GRANT SELECT ON
    incidents, actors, actor_names, claims, statements, statement_changes,
    record_changes,
    ledger_events, merkle_nodes, projection_tracking,
    accounts, account_changes, account_tokens, search_entries
TO ledger_recorder;

-- The projector: read the events, write the read models (DELETE for rebuild).
GRANT SELECT ON stored_events, checkpoints, signing_keys TO ledger_projector;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    incidents, actors, actor_names, claims, statements, statement_changes,
    record_changes,
    ledger_events, merkle_nodes, projection_tracking,
    accounts, account_changes, account_tokens, search_entries
TO ledger_projector;

-- Alembic's own bookkeeping: both only read the schema version.
GRANT SELECT ON alembic_version TO ledger_recorder, ledger_projector;
