-- Spare tenant schemas: created and migrated ahead of time (the server's background task,
-- `convo migrate`), so creating a tenant renames one instead of running every tenant migration
-- inside the request. A row is written before its schema is created and deleted in the
-- transaction that renames the schema for a tenant; `schema_version` is the newest tenant
-- migration applied to it, NULL until it is fully migrated (only spares at the creating
-- server's latest version are handed out).
CREATE TABLE convo.spare_schemas (
    schema_name    text CONSTRAINT spare_schemas_pkey PRIMARY KEY,
    schema_version int4,
    created_at     timestamptz NOT NULL
);
