-- Who this control plane is: one random id, created once with the schema. Every database and role it creates
-- carries this id in its comment, so control planes sharing a cluster never mistake each other's objects.
CREATE TABLE control_plane.identity (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    id         uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO control_plane.identity (id) VALUES (gen_random_uuid());

-- The advisory lock key that the lease owner holds on a session of its own while it lives; PostgreSQL releases
-- it when that process dies, so a reconciler can reclaim the lease at once instead of waiting for it to expire.
ALTER TABLE control_plane.tenants ADD COLUMN lease_lock bigint;
