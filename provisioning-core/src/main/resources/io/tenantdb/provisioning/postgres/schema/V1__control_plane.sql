-- The control plane: one row per tenant, one row per tenant database.
CREATE TABLE control_plane.tenants (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    environment text        NOT NULL CHECK (environment IN ('development', 'staging', 'production')),
    status      text        NOT NULL CHECK (status IN ('provisioning', 'active', 'failed', 'deleting', 'deleted')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- At most one live tenant per name (case-insensitive) and environment; failed and deleted ones free the name.
CREATE UNIQUE INDEX tenants_live_name_key
    ON control_plane.tenants (environment, lower(name))
    WHERE status IN ('provisioning', 'active', 'deleting');

CREATE INDEX tenants_status_idx ON control_plane.tenants (status);

CREATE TABLE control_plane.tenant_databases (
    tenant_id                   uuid        PRIMARY KEY REFERENCES control_plane.tenants (id) ON DELETE CASCADE,
    database_name               text        NOT NULL UNIQUE,
    role_name                   text        NOT NULL,
    -- Null until the database is verified; then the sealed libpq URI (see docs/security.md).
    connection_string_encrypted text,
    key_id                      text,
    created_at                  timestamptz NOT NULL,
    CHECK ((connection_string_encrypted IS NULL) = (key_id IS NULL))
);
