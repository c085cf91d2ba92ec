-- Intent tracking for crash safety: which step a provisioning reached, and who holds it until when.
-- A 'provisioning' row whose lease expired belongs to a process that died; the reconciler rolls it back.
ALTER TABLE control_plane.tenants
    ADD COLUMN step             text,
    ADD COLUMN lease_owner      text,
    ADD COLUMN lease_expires_at timestamptz;

CREATE INDEX tenants_lease_idx ON control_plane.tenants (lease_expires_at)
    WHERE status IN ('provisioning', 'deleting');
