-- One cursor page read as the server runs it (GET /api/spaces/{space}/events?since=…&limit=50):
-- BEGIN, SET LOCAL search_path, the space check, the cursor check and the page, then COMMIT.
-- Pipelined here (the server waits for each), so this is the database's best case.
\startpipeline
BEGIN;
SELECT set_config('search_path', :schema, true);
SELECT status FROM spaces WHERE space_id = :space;
SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor;
SELECT event_id, space_id, seq, speaker_id, speaker_name, speaker_type, text,
       created_at, parent_event_id, thread_id, refs, metadata
FROM events
WHERE space_id = :space
  AND seq > (SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor)
ORDER BY seq LIMIT 50;
\endpipeline
COMMIT;
