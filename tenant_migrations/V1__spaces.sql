-- Runs inside each tenant schema (search_path = that schema only): no schema prefixes here.

CREATE TABLE spaces (
    space_id      text PRIMARY KEY,
    description   text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    links         jsonb NOT NULL DEFAULT '[]',
    created_by    uuid,
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    -- The last sequence number given to an event of this space; bumped under the row lock
    -- in the insert's transaction, so commit order equals sequence order.
    last_seq      bigint NOT NULL DEFAULT 0,
    event_count   bigint NOT NULL DEFAULT 0,
    last_event_at timestamptz
);
