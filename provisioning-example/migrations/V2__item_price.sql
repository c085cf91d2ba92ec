-- A release's schema change: every tenant gets it with `migrate`; tenants created afterwards get it at once.
ALTER TABLE items ADD COLUMN price_cents bigint NOT NULL DEFAULT 0 CHECK (price_cents >= 0);
CREATE INDEX items_name_idx ON items (name);
