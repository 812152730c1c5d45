-- One cursor page read as the server runs it (GET /api/spaces/{space}/events?since=…&limit=50):
-- BEGIN, SET LOCAL search_path, the space check, the cursor check and the page, then COMMIT.
-- The page is `event_pages::after_event_sql()` (a unit test keeps the two the same): each
-- event's stored JSON, with the sequence and time the server writes in front of it.
-- Pipelined here (the server waits for each), so this is the database's best case.
\startpipeline
BEGIN;
SELECT set_config('search_path', :schema, true);
SELECT status FROM spaces WHERE space_id = :space;
SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor;
SELECT event_id, seq, created_at, COALESCE(body, json_build_object('event_id', event_id, 'space_id', space_id, 'speaker_id', speaker_id, 'speaker_name', speaker_name, 'speaker_type', speaker_type, 'text', text, 'parent_event_id', parent_event_id, 'references', refs, 'thread_id', thread_id, 'metadata', metadata)::text) AS body
FROM events
WHERE space_id = :space AND seq > COALESCE(
    (SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor), 0)
ORDER BY seq LIMIT 50;
\endpipeline
COMMIT;
