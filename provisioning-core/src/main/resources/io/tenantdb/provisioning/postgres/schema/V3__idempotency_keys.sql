-- Idempotency-Key bookkeeping: a key claimed by a request, the hash of that request, and the tenant it produced.
-- tenant_id stays null while the first request runs; a failed request releases its key so a retry runs again.
CREATE TABLE control_plane.idempotency_keys (
    idempotency_key text        PRIMARY KEY,
    request_hash    text        NOT NULL,
    tenant_id       uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    CHECK ((tenant_id IS NULL) = (completed_at IS NULL))
);

CREATE INDEX idempotency_keys_completed_idx ON control_plane.idempotency_keys (completed_at);
