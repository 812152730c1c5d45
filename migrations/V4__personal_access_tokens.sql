-- Personal access tokens: `mootup_pat_<60 hex>`. The first 16 hex characters are the lookup
-- part, stored in clear and indexed; the whole token is stored only as an argon2id hash.
CREATE TABLE convo.personal_access_tokens (
    pat_id       uuid PRIMARY KEY,
    actor_id     uuid NOT NULL REFERENCES convo.actors (actor_id) ON DELETE CASCADE,
    name         text NOT NULL,
    lookup       text NOT NULL UNIQUE,
    token_hash   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX personal_access_tokens_actor_idx
    ON convo.personal_access_tokens (actor_id, created_at DESC);
