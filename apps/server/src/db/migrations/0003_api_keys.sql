-- API keys (EN-05, KEY-01): one organisation each, named scopes, stored only as the SHA-256 of the key.

CREATE TABLE api_keys (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The first characters of the key (`swk_` and 8 more), to recognise it in lists; not enough to use it.
  prefix text NOT NULL CHECK (prefix ~ '^swk_[A-Za-z0-9_-]{8}$'),
  -- sha256 of the whole key. The plain key is shown once at creation and never stored.
  key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
  scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['ingest', 'read']::text[]),
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Updated at most once a minute per key, in the request's transaction.
  last_used_at timestamptz,
  -- Revocation keeps the row, so that lists and the audit log can still name the key.
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id),
  PRIMARY KEY (org_id, id)
);
CREATE INDEX api_keys_org_created_idx ON api_keys (org_id, created_at DESC);
-- The one index here not led by org_id: a presented key names no organisation, so it is found by its hash
-- alone (as the system role, see below). Not unique: a unique index must start with org_id, and two random
-- 256-bit keys do not collide.
CREATE INDEX api_keys_hash_idx ON api_keys (key_hash);
SELECT seatwise_enable_tenancy('api_keys');

-- Inside an organisation the application lists, creates and revokes keys and records their last use; it
-- never deletes a key nor changes its name, hash, scopes or organisation.
GRANT SELECT, INSERT ON api_keys TO seatwise_app;
GRANT UPDATE (last_used_at, revoked_at, revoked_by) ON api_keys TO seatwise_app;

-- Finding a key by its hash happens before its organisation is known. That lookup runs as the system role
-- (withSystemTx, like finding a refresh token at sign-in), not through a SECURITY DEFINER function: the
-- owner is bound by the forced row-level security and has no policy of its own, so a function running as
-- the owner would see no key; the system role has the reviewed cross-tenant policy already, and a failure
-- for an unknown key has to be written to the instance audit chain in a system transaction anyway. The
-- lookup returns only the key's id and organisation; whether it is revoked and what it may do are checked
-- again inside the organisation's own transaction on every request. The system role never updates or
-- deletes keys; it may insert them (test fixtures and operator tooling write rows as this role).
GRANT SELECT, INSERT ON api_keys TO seatwise_system;
