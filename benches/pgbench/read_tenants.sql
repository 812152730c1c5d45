-- read.sql in one of :tenants schemas (tenant_bench_0 …), at random (GET /api/spaces/{space}/events?since=…&limit=50):
-- BEGIN, SET LOCAL search_path, the space check, the cursor check and the page in one
-- pipeline, then COMMIT (which the server sends without waiting for).
\set t random(0, :tenants - 1)
\startpipeline
BEGIN;
SELECT set_config('search_path', 'tenant_bench_' || :t, true);
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
