-- Sample tenant schema for the demo: TENANT_MIGRATIONS=provisioning-example/migrations. Runs as the tenant's own
-- role, in its own database, so the tenant owns these objects.
CREATE TABLE items (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
