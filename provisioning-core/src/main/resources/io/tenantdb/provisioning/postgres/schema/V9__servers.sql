-- The PostgreSQL servers tenants are placed on. A server's name is an opaque label (never an SQL identifier). Its
-- admin connection is a libpq URI sealed like a tenant's, bound to the server's name; the 'default' server's is
-- null: it is the host's own admin connection (DATABASE_URL or the embedded server), never stored. tenant_host and
-- tenant_port are written into its tenants' connection strings (null for 'default' until the host registers it).
-- max_tenants null: no limit. A 'draining' server keeps its tenants and gets no new ones.
CREATE TABLE control_plane.servers (
    name                       text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    admin_connection_encrypted text,
    key_id                     text,
    tenant_host                text,
    tenant_port                integer     CHECK (tenant_port BETWEEN 1 AND 65535),
    max_tenants                integer     CHECK (max_tenants >= 0),
    weight                     integer     NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
    state                      text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'draining')),
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CHECK ((admin_connection_encrypted IS NULL) = (key_id IS NULL)),
    CHECK ((admin_connection_encrypted IS NULL) = (name = 'default'))
);

INSERT INTO control_plane.servers (name) VALUES ('default');

-- Each tenant database lives on one server; those made before servers existed are on 'default'.
ALTER TABLE control_plane.tenant_databases
    ADD COLUMN server_name text NOT NULL DEFAULT 'default' REFERENCES control_plane.servers (name);

CREATE INDEX tenant_databases_server_idx ON control_plane.tenant_databases (server_name);
