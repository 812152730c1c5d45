-- One event append as the server runs it (POST /api/spaces/{space}/speech without an
-- Idempotency-Key): BEGIN, SET LOCAL search_path and the append, then COMMIT once the
-- append's row is back. The first three are pipelined here (the server waits for BEGIN; SET
-- LOCAL before the append), so this is the database's best case for the same work.
-- The space is one of :spaces ("spread-0" … ), at random.
-- The server passes the event id (a UUIDv7 made in Rust), the JSON values and the event's
-- rendered JSON (`body`) as parameters; here they are gen_random_uuid() and literals.
\set s random(0, :spaces - 1)
\startpipeline
BEGIN;
SELECT set_config('search_path', :schema, true);
WITH s AS (
    UPDATE spaces SET last_seq = last_seq + 1, event_count = event_count + 1,
                      last_event_at = clock_timestamp()
    WHERE space_id = 'spread-' || :s AND status = 'active'
    RETURNING last_seq, last_event_at)
INSERT INTO events (event_id, space_id, seq, speaker_id, speaker_name, speaker_type,
                    text, created_at, parent_event_id, thread_id, refs, metadata, body)
SELECT gen_random_uuid(), 'spread-' || :s, s.last_seq, :speaker, 'Bench', 'human',
       'spread', s.last_event_at, NULL, NULL, '[]', '{}',
       '{"event_id":"00000000-0000-7000-8000-000000000000","space_id":"spread-0","speaker_id":"00000000-0000-7000-8000-000000000000","speaker_name":"Bench","speaker_type":"human","text":"spread","parent_event_id":null,"references":[],"thread_id":null,"metadata":{}}'
FROM s
RETURNING event_id, seq, created_at;
\endpipeline
COMMIT;
