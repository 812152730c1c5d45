-- read.sql on a random one of :tenants tenant schemas (tenant_spread_0 …), each holding the
-- same space and events: the page read with traffic spread over many schemas.
\set t random(0, :tenants - 1)
\startpipeline
BEGIN;
SELECT set_config('search_path', 'tenant_spread_' || :t, true);
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
