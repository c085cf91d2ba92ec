-- Each tenant database's own schema version, as the host's migrations (e.g. provisioning-flyway) last left it,
-- and the last failure's error code (an SQLState or a migration tool's code, never SQL text: it may hold data).
-- A success clears the failure. Rows go with their tenant.
CREATE TABLE control_plane.tenant_schemas (
    tenant_id      uuid        PRIMARY KEY REFERENCES control_plane.tenants (id) ON DELETE CASCADE,
    version        text,
    migrated_at    timestamptz,
    failed_version text,
    failure_code   text,
    failed_at      timestamptz,
    CHECK ((failure_code IS NULL) = (failed_at IS NULL))
);

CREATE INDEX tenant_schemas_failed_idx ON control_plane.tenant_schemas (tenant_id) WHERE failure_code IS NOT NULL;
