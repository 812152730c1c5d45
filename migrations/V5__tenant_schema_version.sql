-- The newest tenant migration applied to each tenant's schema, so /metrics can count tenants
-- by version with one query instead of reading every schema's history. Kept current by
-- tenant creation and by `convo migrate` (after each tenant's run); NULL until known.
ALTER TABLE convo.tenants ADD COLUMN schema_version int4;

-- Backfill from each schema's own refinery history (once; a few ms per tenant).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT schema_name FROM convo.tenants LOOP
        IF to_regclass(format('%I.refinery_schema_history', t.schema_name)) IS NOT NULL THEN
            EXECUTE format(
                'UPDATE convo.tenants SET schema_version =
                     (SELECT max(version) FROM %I.refinery_schema_history)
                 WHERE schema_name = $1',
                t.schema_name)
            USING t.schema_name;
        END IF;
    END LOOP;
END
$$;
