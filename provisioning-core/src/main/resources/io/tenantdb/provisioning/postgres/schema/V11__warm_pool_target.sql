-- A server's warm pool size, shared by every instance of the control plane: each instance's keeper follows it, so
-- instances never make and drop each other's entries over different sizes. An instance writes its configured size
-- when it starts and when it is resized; the last write wins. Needs V9 (servers); 0 is no pool.
ALTER TABLE control_plane.servers
    ADD COLUMN warm_pool_target integer NOT NULL DEFAULT 0 CHECK (warm_pool_target BETWEEN 0 AND 1000);
