-- A claim records, before anything is created, the id its tenant will have. A retry after a crash between the
-- activation commit and the key's completion then finds the tenant through it instead of waiting for the claim
-- to expire: the key's outcome is recoverable from the activation itself.
ALTER TABLE control_plane.idempotency_keys DROP CONSTRAINT idempotency_keys_check;
ALTER TABLE control_plane.idempotency_keys ADD CHECK (completed_at IS NULL OR tenant_id IS NOT NULL);
