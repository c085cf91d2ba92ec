-- A warm pool belongs to one server of the registry: its entries are databases there. Needs V8 (warm_pool_entries)
-- and V9 (servers); the migrator's list keeps them before this script. Entries made before this version are on
-- 'default', the only server a pool could serve then. Each pool counts, refills, drops and reconciles only the
-- entries of its own server.
ALTER TABLE control_plane.warm_pool_entries
    ADD COLUMN server_name text NOT NULL DEFAULT 'default' REFERENCES control_plane.servers (name);

DROP INDEX control_plane.warm_pool_entries_ready_idx;
CREATE INDEX warm_pool_entries_ready_idx ON control_plane.warm_pool_entries (server_name, ready_at)
    WHERE state = 'ready' AND tenant_id IS NULL;
