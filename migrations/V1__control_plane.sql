-- Control plane: everything needed to authenticate and route a request. Tenant data lives
-- in per-tenant schemas (tenant_migrations/); nothing there references these tables, so
-- tenant schemas can be distributed (Citus schema-based sharding) later.

CREATE TABLE convo.tenants (
    tenant_id   uuid PRIMARY KEY,
    name        text NOT NULL,
    schema_name text NOT NULL UNIQUE,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE convo.actors (
    actor_id         uuid PRIMARY KEY,
    display_name     text NOT NULL,
    actor_type       text NOT NULL CHECK (actor_type IN ('human', 'agent')),
    email            text,
    agent_profile    text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    sponsor_id       uuid REFERENCES convo.actors (actor_id) ON DELETE CASCADE,
    tenant_id        uuid REFERENCES convo.tenants (tenant_id),
    default_space_id text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX actors_sponsor_idx ON convo.actors (sponsor_id);
CREATE INDEX actors_tenant_idx ON convo.actors (tenant_id);

-- A key is `convo_<lookup><secret>`: the lookup part is stored in clear and indexed, the
-- whole key only as an argon2id hash.
CREATE TABLE convo.api_keys (
    key_id          uuid PRIMARY KEY,
    actor_id        uuid NOT NULL REFERENCES convo.actors (actor_id) ON DELETE CASCADE,
    lookup          text NOT NULL UNIQUE,
    key_hash        text NOT NULL,
    installation_id text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX api_keys_actor_idx ON convo.api_keys (actor_id);
