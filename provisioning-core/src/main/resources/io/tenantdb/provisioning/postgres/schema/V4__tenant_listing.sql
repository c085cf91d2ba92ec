-- Keyset pagination of GET /api/v1/tenants: newest first, id breaks ties.
CREATE INDEX tenants_created_idx ON control_plane.tenants (created_at DESC, id DESC);
