-- The collaboration tables of a tenant. Kept lean: every PostgreSQL backend caches catalog
-- entries per table it touches, across all tenant schemas.

CREATE TABLE participants (
    space_id         text NOT NULL REFERENCES spaces (space_id) ON DELETE CASCADE,
    participant_id   text NOT NULL,
    name             text NOT NULL,
    participant_type text NOT NULL,
    agent_adapter    text,
    actor_id         uuid,
    joined_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, participant_id)
);
CREATE INDEX participants_actor_idx ON participants (actor_id);

-- `seq` is the per-space total order, assigned from spaces.last_seq under the space's row
-- lock in the inserting transaction.
CREATE TABLE events (
    event_id        uuid PRIMARY KEY,
    space_id        text NOT NULL REFERENCES spaces (space_id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    speaker_id      text NOT NULL,
    speaker_name    text NOT NULL,
    speaker_type    text NOT NULL,
    text            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    parent_event_id uuid,
    thread_id       uuid,
    refs            jsonb NOT NULL DEFAULT '[]',
    metadata        jsonb NOT NULL DEFAULT '{}',
    UNIQUE (space_id, seq)
);
CREATE INDEX events_time_idx ON events (space_id, created_at);
CREATE INDEX events_thread_idx ON events (thread_id, seq) WHERE thread_id IS NOT NULL;
-- Mentions: `metadata -> 'mentions' @> '["<participant>"]'` uses this index.
CREATE INDEX events_mentions_idx ON events USING gin ((metadata -> 'mentions') jsonb_path_ops);

CREATE TABLE threads (
    thread_id       uuid PRIMARY KEY,
    space_id        text NOT NULL REFERENCES spaces (space_id) ON DELETE CASCADE,
    parent_event_id uuid NOT NULL UNIQUE REFERENCES events (event_id) ON DELETE CASCADE,
    subject         text,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Idempotent event writes: a retried request with the same key returns the original event.
CREATE TABLE idempotency_keys (
    actor_id        uuid NOT NULL,
    idempotency_key text NOT NULL,
    request_hash    bytea NOT NULL,
    event_id        uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE decisions (
    decision_id uuid PRIMARY KEY,
    space_id    text NOT NULL REFERENCES spaces (space_id) ON DELETE CASCADE,
    proposed_by text NOT NULL,
    text        text NOT NULL,
    status      text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'resolved', 'rejected')),
    resolved_by text,
    resolved_at timestamptz,
    resolution  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_space_idx ON decisions (space_id, created_at);

CREATE TABLE summaries (
    summary_id   uuid PRIMARY KEY,
    space_id     text NOT NULL REFERENCES spaces (space_id) ON DELETE CASCADE,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    summary_text text NOT NULL,
    event_count  bigint NOT NULL,
    model        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (space_id, window_start, window_end)
);
