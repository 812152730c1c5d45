-- Installations: a client (a machine running an agent) names itself with the
-- `X-Installation-Id` header. Issuing a key to an installation (agent registration or key
-- rotation) connects the agent to it; `POST /api/actors/{id}/release` makes the agent
-- available again without revoking its key. Humans are never connected.
ALTER TABLE convo.actors
    ADD COLUMN connection_state text NOT NULL DEFAULT 'available'
        CHECK (connection_state IN ('available', 'connected')),
    ADD COLUMN installation_id  text,
    ADD COLUMN connected_at     timestamptz,
    ADD CONSTRAINT actors_connection_consistent CHECK (
        (connection_state = 'connected') = (installation_id IS NOT NULL)
        AND (installation_id IS NULL) = (connected_at IS NULL)
    );
