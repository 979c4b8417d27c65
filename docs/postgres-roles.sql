-- Roles for a ledger on PostgreSQL. Run as a superuser once per database, after
-- `ledger init` has been run by the owner role (it creates the tables and the
-- triggers that refuse changes to stored events and checkpoints).
--
--   ledger_owner  owns every table and trigger; used only for `ledger init`
--                 (migrations) and by the DBA. Only an owner (or a superuser)
--                 can ALTER TABLE ... DISABLE TRIGGER or DROP TRIGGER.
--   ledger_app    what recorders, importers and the projection worker use. It
--                 cannot disable or drop the triggers, cannot TRUNCATE, and
--                 every UPDATE or DELETE of a stored event is refused.
--
-- This is the single-role setup: ledger_app records and projects with one URL,
-- so it can also write the read models (what `state`, `history` and
-- `provenance` show). `ledger verify` recomputes them from the events and names
-- any row that differs. For a team, docs/postgres-team-roles.sql splits it: a
-- recorder that cannot write the read models, and a projector that can.
--
-- psql -v app_password="'...'" -f docs/postgres-roles.sql DBNAME

CREATE ROLE ledger_app LOGIN PASSWORD :app_password NOSUPERUSER NOCREATEDB NOCREATEROLE;
GRANT CONNECT ON DATABASE :"DBNAME" TO ledger_app;
GRANT USAGE ON SCHEMA public TO ledger_app;

-- The event store: append and read. UPDATE is granted only because the
-- eventsourcing library takes LOCK TABLE ... IN EXCLUSIVE MODE while appending
-- (which PostgreSQL allows to holders of UPDATE); the trigger refuses any UPDATE.
GRANT SELECT, INSERT, UPDATE ON stored_events TO ledger_app;
GRANT USAGE, SELECT ON SEQUENCE stored_events_notification_id_seq TO ledger_app;

-- Checkpoints: append and read; the trigger refuses UPDATE and DELETE.
GRANT SELECT, INSERT ON checkpoints TO ledger_app;
GRANT USAGE, SELECT ON SEQUENCE checkpoints_id_seq TO ledger_app;

-- Signing keys and their handovers (`ledger key rotate`): append and read; the
-- trigger refuses UPDATE and DELETE.
GRANT SELECT, INSERT ON signing_keys TO ledger_app;
GRANT USAGE, SELECT ON SEQUENCE signing_keys_id_seq TO ledger_app;

-- Read models: disposable, rebuilt from the events by `ledger rebuild`.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    incidents, actors, actor_names, claims, statements, statement_changes,
    record_changes,
    ledger_events, merkle_nodes, projection_tracking,
    accounts, account_changes, account_tokens, search_entries
TO ledger_app;
-- Alembic's own bookkeeping: the application only reads the schema version.
GRANT SELECT ON alembic_version TO ledger_app;
