-- Platform core: roles, tenancy helper, organisations, people, sessions, throttling, outbox, audit log.
-- Runs as the owner. The application never connects as the owner: every transaction switches to
-- seatwise_app (tenant work) or seatwise_system (rare cross-tenant work), neither of which owns anything.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seatwise_app') THEN
    CREATE ROLE seatwise_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seatwise_system') THEN
    CREATE ROLE seatwise_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO seatwise_app, seatwise_system;

-- The one template that makes a table a tenant table, so that none can be missed: RLS enabled and
-- forced (the owner is bound too), the tenant policy for the application role, and an explicit
-- policy for the system role that cross-tenant work uses.
CREATE FUNCTION seatwise_enable_tenancy(tbl regclass, org_column text DEFAULT 'org_id') RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format(
    $p$CREATE POLICY tenant_isolation ON %s TO seatwise_app
       USING (%I = nullif(current_setting('app.org_id', true), '')::uuid)
       WITH CHECK (%I = nullif(current_setting('app.org_id', true), '')::uuid)$p$,
    tbl, org_column, org_column);
  EXECUTE format('DROP POLICY IF EXISTS system_access ON %s', tbl);
  EXECUTE format('CREATE POLICY system_access ON %s TO seatwise_system USING (true) WITH CHECK (true)', tbl);
END
$fn$;

-- Organisations: the tenant root. Its own id is the tenant key.
CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
SELECT seatwise_enable_tenancy('organizations', 'id');
GRANT SELECT, UPDATE ON organizations TO seatwise_app;
GRANT SELECT, INSERT, UPDATE ON organizations TO seatwise_system;

-- People are global (one account, several organisations); what they may do lives in memberships.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL CHECK (email = lower(email)),
  name text NOT NULL,
  password_hash text,
  email_verified_at timestamptz,
  disabled_at timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
GRANT SELECT, INSERT, UPDATE ON users TO seatwise_system;

CREATE TABLE memberships (
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'hr', 'viewer', 'employee')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
-- The one index not led by org_id: sign-in lists a person's organisations (through the system role).
CREATE INDEX memberships_user_idx ON memberships (user_id);
SELECT seatwise_enable_tenancy('memberships');
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO seatwise_app, seatwise_system;


CREATE TABLE invitations (
  org_id uuid NOT NULL REFERENCES organizations (id),
  id uuid NOT NULL,
  email text NOT NULL CHECK (email = lower(email)),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'hr', 'viewer', 'employee')),
  token_hash bytea NOT NULL,
  invited_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES users (id),
  revoked_at timestamptz,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX invitations_pending_email_idx ON invitations (org_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
SELECT seatwise_enable_tenancy('invitations');
GRANT SELECT, INSERT, UPDATE ON invitations TO seatwise_app, seatwise_system;

-- Inside an organisation the application sees only the accounts of its members, of the people it has
-- invited and the caller's own, never a password hash, and creates an account only for an invited
-- address (accepting an invitation). Everything else about accounts is account work, as the system role.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY member_accounts ON users FOR SELECT TO seatwise_app
  USING (id = nullif(current_setting('app.user_id', true), '')::uuid
         OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id)
         OR EXISTS (SELECT 1 FROM invitations i WHERE i.email = users.email AND i.accepted_at IS NULL AND i.revoked_at IS NULL));
CREATE POLICY invited_accounts ON users FOR INSERT TO seatwise_app
  WITH CHECK (EXISTS (SELECT 1 FROM invitations i WHERE i.email = users.email AND i.accepted_at IS NULL
                      AND i.revoked_at IS NULL AND i.expires_at > now()));
CREATE POLICY system_access ON users TO seatwise_system USING (true) WITH CHECK (true);
GRANT SELECT (id, email, name, email_verified_at, disabled_at, created_at) ON users TO seatwise_app;
GRANT INSERT (id, email, name, password_hash, email_verified_at) ON users TO seatwise_app;

-- A session is one refresh-token family: revoking it ends every token ever issued in it.
CREATE TABLE auth_sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  -- The organisation the session works in now; not a tenant key (a session belongs to a person).
  active_org_id uuid REFERENCES organizations (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON auth_sessions TO seatwise_system;
-- Every request checks that the caller's own session is alive; no other session is visible, none changeable.
ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY own_sessions ON auth_sessions FOR SELECT TO seatwise_app
  USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
CREATE POLICY system_access ON auth_sessions TO seatwise_system USING (true) WITH CHECK (true);
GRANT SELECT ON auth_sessions TO seatwise_app;

CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES auth_sessions (id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
GRANT SELECT, INSERT, UPDATE ON refresh_tokens TO seatwise_system;

-- Single-use links sent by e-mail; only the SHA-256 of the token is kept.
CREATE TABLE email_tokens (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
GRANT SELECT, INSERT, UPDATE ON email_tokens TO seatwise_system;

-- Mail waiting to be sent (SMTP configured) or shown to a developer (no SMTP).
CREATE TABLE email_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  last_error text
);
GRANT SELECT, INSERT, UPDATE ON email_outbox TO seatwise_system;
-- Invitations are mailed from inside an organisation: the application may queue mail, never read it.
GRANT INSERT ON email_outbox TO seatwise_app;

-- Brute-force counters shared by every server instance: one row per (purpose, IP or account).
CREATE TABLE auth_throttle (
  key text PRIMARY KEY,
  window_started_at timestamptz NOT NULL,
  hits integer NOT NULL,
  blocked_until timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_throttle TO seatwise_system;

-- Audit log: append-only and hash-chained per organisation. Events that belong to no organisation
-- (a failed sign-in for an unknown address) go to the instance chain, org_id 00000000-…-000.
CREATE TABLE audit_chain_heads (
  org_id uuid PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
SELECT seatwise_enable_tenancy('audit_chain_heads');
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO seatwise_app, seatwise_system;

-- Partitioned by month so that retention drops whole partitions as the owner: the application role
-- never needs, and never has, the right to delete an audit row.
CREATE TABLE audit_events (
  org_id uuid NOT NULL,
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_label text,
  action text NOT NULL,
  target_type text,
  target_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  ip text,
  user_agent text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (org_id, seq, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX audit_events_org_time_idx ON audit_events (org_id, occurred_at DESC);
CREATE INDEX audit_events_org_actor_idx ON audit_events (org_id, actor_user_id, seq DESC);
CREATE INDEX audit_events_org_action_idx ON audit_events (org_id, action, seq DESC);
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
SELECT seatwise_enable_tenancy('audit_events');
GRANT SELECT, INSERT ON audit_events TO seatwise_app, seatwise_system;

CREATE FUNCTION seatwise_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION seatwise_audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION seatwise_audit_refuse_change();

-- A partition gets the tenant policies and, since statement triggers are not inherited, its own refusal
-- of TRUNCATE. Retention removes a month with DROP TABLE, as the owner.
CREATE FUNCTION seatwise_audit_protect_partition(part regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM seatwise_enable_tenancy(part);
  EXECUTE format('CREATE TRIGGER audit_partition_no_truncate BEFORE TRUNCATE ON %s
                  FOR EACH STATEMENT EXECUTE FUNCTION seatwise_audit_refuse_change()', part);
END
$fn$;
SELECT seatwise_audit_protect_partition('audit_events_default');

-- Creates this month's and the next three months' partitions. It runs with the owner's rights (SECURITY
-- DEFINER) so that the daily job, as the system role, can call it without being able to create tables.
CREATE FUNCTION seatwise_audit_ensure_partitions(around timestamptz) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  month_start timestamp;
  part text;
BEGIN
  FOR i IN 0..3 LOOP
    month_start := date_trunc('month', around AT TIME ZONE 'UTC') + make_interval(months => i);
    part := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(part) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
          part, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
        PERFORM seatwise_audit_protect_partition(part::regclass);
      EXCEPTION WHEN others THEN
        -- Rows for that month already sit in the default partition; they stay there, still chained.
        RAISE WARNING 'audit partition % not created: %', part, SQLERRM;
      END;
    END IF;
  END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION seatwise_audit_ensure_partitions(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION seatwise_audit_ensure_partitions(timestamptz) TO seatwise_system;
