-- Who created each tenant, so tenant creation can be limited per actor (per hour and in
-- total), counted in the creating transaction. No foreign key: a deleted actor's tenants
-- stay, and deleting an actor need not touch them. NULL for tenants created before.
ALTER TABLE convo.tenants ADD COLUMN created_by uuid;
CREATE INDEX tenants_created_by_idx ON convo.tenants (created_by, created_at)
    WHERE created_by IS NOT NULL;
