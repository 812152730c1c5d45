-- read.sql on a random one of :tenants tenant schemas (tenant_spread_0 …), each holding the
-- same space and events: the page read with traffic spread over many schemas.
\set t random(0, :tenants - 1)
\startpipeline
BEGIN;
SELECT set_config('search_path', 'tenant_spread_' || :t, true);
SELECT status FROM spaces WHERE space_id = :space;
SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor;
SELECT event_id, seq, created_at, COALESCE(body, json_build_object('event_id', event_id, 'space_id', space_id, 'speaker_id', speaker_id, 'speaker_name', speaker_name, 'speaker_type', speaker_type, 'text', text, 'parent_event_id', parent_event_id, 'references', refs, 'thread_id', thread_id, 'metadata', metadata)::text) AS body
FROM events
WHERE space_id = :space AND seq > COALESCE(
    (SELECT seq FROM events WHERE space_id = :space AND event_id = :cursor), 0)
ORDER BY seq LIMIT 50;
\endpipeline
COMMIT;
