-- Each event's response JSON, rendered once when it is written (every field but `sequence`
-- and `timestamp`, which the append assigns): reads concatenate it instead of rebuilding
-- the object (src/store/event_json.rs). Nullable and not backfilled: rows written before
-- this migration, or by a server of the previous release during a rolling deploy, have it
-- NULL and are rendered by the read query itself.
ALTER TABLE events ADD COLUMN body text;
