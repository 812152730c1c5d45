-- An agent lives in its sponsor's tenant. Until now a human who created a new tenant left its
-- agents in the old one, where its keys to them still read that tenant; tenant creation now
-- moves them, and this moves the ones left behind earlier.
UPDATE convo.actors AS agent
SET tenant_id = sponsor.tenant_id
FROM convo.actors AS sponsor
WHERE agent.sponsor_id = sponsor.actor_id
  AND agent.tenant_id IS DISTINCT FROM sponsor.tenant_id;

-- Replicas still running the previous version drop every cached credential (a payload that
-- names nobody in particular means "all"), so none keeps serving a moved agent's old tenant.
SELECT pg_notify('convo_auth', 'all');
