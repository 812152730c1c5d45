-- Secrets for short-lived signed tokens (SSE stream tokens). Created once at first start and
-- shared by every replica through the database, so tokens work behind a load balancer with
-- no configuration; CONVO_JWT_SECRET overrides.
CREATE TABLE convo.signing_keys (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
