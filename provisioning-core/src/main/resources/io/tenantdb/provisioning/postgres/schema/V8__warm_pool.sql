-- The warm pool: databases and roles made ahead of demand, named <prefix>pool_<32 hex digits of the id> (never the
-- tenant pattern) and marked tenantdb:<control plane id>:<entry id> until a tenant claims one. A row is written
-- before its objects are made, so an object of that name without a row is an orphan the reconciler may drop.
-- 'making' rows hold a lease like provisioning tenants; 'ready' rows record the schema version the entry was
-- initialized to (NULL without a versioned initializer). A claim sets tenant_id in the tenant's reservation and
-- the row goes with a rolled-back tenant; the pool deletes it once that tenant is no longer provisioning.
-- No password is ever stored: a claim sets a fresh one.
CREATE TABLE control_plane.warm_pool_entries (
    id               uuid        PRIMARY KEY,
    name             text        NOT NULL UNIQUE,
    state            text        NOT NULL CHECK (state IN ('making', 'ready')),
    schema_version   text,
    tenant_id        uuid        UNIQUE REFERENCES control_plane.tenants (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    ready_at         timestamptz,
    lease_owner      text,
    lease_lock       bigint,
    lease_expires_at timestamptz,
    CHECK ((state = 'ready') = (ready_at IS NOT NULL))
);

CREATE INDEX warm_pool_entries_ready_idx ON control_plane.warm_pool_entries (ready_at)
    WHERE state = 'ready' AND tenant_id IS NULL;
