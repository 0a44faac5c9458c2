-- License usage: license servers, features, the people and hosts named in usage, sessions, denials,
-- snapshots, their roll-ups, uploads and agent batches. Every table is a tenant table; org_id leads every
-- primary key, unique constraint, foreign key and index.

-- A license server: one vendor daemon endpoint (or a redundant triad) whose logs share one time zone.
CREATE TABLE license_servers (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  host text NOT NULL DEFAULT '' CHECK (length(host) <= 256),
  port integer CHECK (port BETWEEN 1 AND 65535),
  time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX license_servers_name_key ON license_servers (org_id, lower(name));
SELECT seatwise_enable_tenancy('license_servers');
GRANT SELECT, INSERT, UPDATE, DELETE ON license_servers TO seatwise_app, seatwise_system;

-- A feature is organisation-wide (the same feature may be served by several servers); names compare
-- case-insensitively, the first spelling seen is kept.
CREATE TABLE features (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- empty when the source does not name the vendor daemon (a plain CSV)
  vendor text NOT NULL CHECK (length(vendor) <= 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  seats_owned integer CHECK (seats_owned >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX features_name_key ON features (org_id, lower(vendor), lower(name));
SELECT seatwise_enable_tenancy('features');
GRANT SELECT, INSERT, UPDATE ON features TO seatwise_app, seatwise_system;

-- The only place user names and host names of usage data live. Usage rows point here, so erasing a person
-- rewrites one row and every count stays right.
CREATE TABLE usage_identities (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL CHECK (kind IN ('user', 'host')),
  -- lower-cased, so "JSmith" and "jsmith" are one person
  key text NOT NULL CHECK (length(key) <= 256),
  display text NOT NULL CHECK (length(display) <= 256),
  pseudonymised_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX usage_identities_key ON usage_identities (org_id, kind, key);
SELECT seatwise_enable_tenancy('usage_identities');
GRANT SELECT, INSERT, UPDATE ON usage_identities TO seatwise_app, seatwise_system;

-- One check-out. The primary key is the natural key of the log line, so the same data stored twice is
-- one row: ordinal tells apart identical check-outs in the same second.
CREATE TABLE usage_sessions (
  org_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  user_id bigint NOT NULL,
  host_id bigint NOT NULL,
  started_at timestamptz NOT NULL,
  ordinal integer NOT NULL DEFAULT 0,
  -- null while still open; last_seen_at is then the latest instant it was known to be held
  ended_at timestamptz,
  last_seen_at timestamptz NOT NULL,
  seats integer NOT NULL CHECK (seats >= 1),
  closed_by text CHECK (closed_by IN ('checkin', 'restart', 'end-of-input', 'snapshot')),
  end_reason text CHECK (length(end_reason) <= 100),
  source text NOT NULL CHECK (source IN ('upload', 'agent', 'demo')),
  PRIMARY KEY (org_id, license_server_id, feature_id, user_id, host_id, started_at, ordinal),
  FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, feature_id) REFERENCES features (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES usage_identities (org_id, id),
  FOREIGN KEY (org_id, host_id) REFERENCES usage_identities (org_id, id),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK (last_seen_at >= started_at)
);
CREATE INDEX usage_sessions_feature_time ON usage_sessions (org_id, feature_id, started_at);
CREATE INDEX usage_sessions_user ON usage_sessions (org_id, user_id, started_at);
-- Roll-ups read the sessions overlapping a window: recent windows are found by their end, old ones by start.
CREATE INDEX usage_sessions_feature_end ON usage_sessions (org_id, feature_id, (coalesce(ended_at, last_seen_at)));
SELECT seatwise_enable_tenancy('usage_sessions');
GRANT SELECT, INSERT, UPDATE ON usage_sessions TO seatwise_app, seatwise_system;

CREATE TABLE usage_denials (
  org_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  user_id bigint NOT NULL,
  host_id bigint NOT NULL,
  denied_at timestamptz NOT NULL,
  ordinal integer NOT NULL DEFAULT 0,
  reason text CHECK (length(reason) <= 500),
  retried boolean NOT NULL,
  source text NOT NULL CHECK (source IN ('upload', 'agent', 'demo')),
  PRIMARY KEY (org_id, license_server_id, feature_id, user_id, host_id, denied_at, ordinal),
  FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, feature_id) REFERENCES features (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES usage_identities (org_id, id),
  FOREIGN KEY (org_id, host_id) REFERENCES usage_identities (org_id, id)
);
CREATE INDEX usage_denials_feature_time ON usage_denials (org_id, feature_id, denied_at);
SELECT seatwise_enable_tenancy('usage_denials');
GRANT SELECT, INSERT, UPDATE ON usage_denials TO seatwise_app, seatwise_system;

-- What a status command reported for a feature at one instant.
CREATE TABLE usage_snapshots (
  org_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  taken_at timestamptz NOT NULL,
  issued integer NOT NULL CHECK (issued >= 0),
  in_use integer NOT NULL CHECK (in_use >= 0),
  reserved integer CHECK (reserved >= 0),
  queued integer CHECK (queued >= 0),
  PRIMARY KEY (org_id, license_server_id, feature_id, taken_at),
  FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, feature_id) REFERENCES features (org_id, id)
);
CREATE INDEX usage_snapshots_feature_time ON usage_snapshots (org_id, feature_id, taken_at);
SELECT seatwise_enable_tenancy('usage_snapshots');
GRANT SELECT, INSERT, UPDATE ON usage_snapshots TO seatwise_app, seatwise_system;

-- Roll-ups, recomputed from the stored sessions and denials of the hours and days an ingest touched, so
-- re-ingesting never double-counts. license_server_id is the all-zero uuid for "all servers together"
-- (concurrency across servers is not the sum of each server's peak).
CREATE TABLE usage_hourly (
  org_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  peak integer NOT NULL,
  peak_at timestamptz,
  -- seats × milliseconds held within the hour: average in use = seat_ms / 3 600 000
  seat_ms bigint NOT NULL,
  denials integer NOT NULL,
  retried_denials integer NOT NULL,
  PRIMARY KEY (org_id, feature_id, license_server_id, hour)
);
SELECT seatwise_enable_tenancy('usage_hourly');
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_hourly TO seatwise_app, seatwise_system;

-- Per local day of the license server (for "all servers", each session's own server's day).
CREATE TABLE usage_daily (
  org_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  day date NOT NULL,
  users integer NOT NULL,
  peak integer NOT NULL,
  peak_at timestamptz,
  seat_ms bigint NOT NULL,
  denials integer NOT NULL,
  retried_denials integer NOT NULL,
  PRIMARY KEY (org_id, feature_id, license_server_id, day)
);
SELECT seatwise_enable_tenancy('usage_daily');
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_daily TO seatwise_app, seatwise_system;

-- Per person, feature and local day (all servers): hours, sessions, idle check-ins, last use.
CREATE TABLE usage_person_daily (
  org_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  user_id bigint NOT NULL,
  day date NOT NULL,
  seat_ms bigint NOT NULL,
  sessions integer NOT NULL,
  idle_checkins integer NOT NULL,
  last_used_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, feature_id, user_id, day)
);
CREATE INDEX usage_person_daily_day ON usage_person_daily (org_id, feature_id, day);
SELECT seatwise_enable_tenancy('usage_person_daily');
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_person_daily TO seatwise_app, seatwise_system;

-- The same per calendar month, so a year per person reads 12 rows per person rather than 365.
CREATE TABLE usage_person_monthly (
  org_id uuid NOT NULL,
  feature_id uuid NOT NULL,
  user_id bigint NOT NULL,
  month date NOT NULL,
  seat_ms bigint NOT NULL,
  sessions integer NOT NULL,
  idle_checkins integer NOT NULL,
  last_used_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, feature_id, user_id, month)
);
CREATE INDEX usage_person_monthly_month ON usage_person_monthly (org_id, feature_id, month);
SELECT seatwise_enable_tenancy('usage_person_monthly');
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_person_monthly TO seatwise_app, seatwise_system;

-- Agent batches already stored: a re-sent batch id changes nothing.
CREATE TABLE ingest_batches (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  batch_id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  api_key_id uuid,
  sessions integer NOT NULL,
  denials integer NOT NULL,
  snapshots integer NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, batch_id),
  FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id) ON DELETE CASCADE
);
SELECT seatwise_enable_tenancy('ingest_batches');
GRANT SELECT, INSERT ON ingest_batches TO seatwise_app, seatwise_system;

-- Smart Upload: one uploaded file and the job that parses and stores it.
CREATE TABLE usage_uploads (
  org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  license_server_id uuid NOT NULL,
  file_name text NOT NULL CHECK (length(file_name) <= 255),
  status text NOT NULL CHECK (status IN ('waiting', 'running', 'done', 'duplicate', 'failed')),
  start_date date,
  duplicate_of uuid,
  -- while running: reading and parsing the file, then storing what it found
  phase text CHECK (phase IN ('parsing', 'storing')),
  sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  format text,
  bytes_total bigint,
  bytes_done bigint NOT NULL DEFAULT 0,
  lines_done bigint NOT NULL DEFAULT 0,
  events bigint NOT NULL DEFAULT 0,
  sessions bigint NOT NULL DEFAULT 0,
  denials bigint NOT NULL DEFAULT 0,
  snapshots bigint NOT NULL DEFAULT 0,
  first_event_at timestamptz,
  last_event_at timestamptz,
  diagnostics jsonb NOT NULL DEFAULT '[]',
  diagnostics_total bigint NOT NULL DEFAULT 0,
  error_code text,
  error_message text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id) ON DELETE CASCADE
);
-- One finished upload per content and server: the same file again is marked a duplicate of the first.
CREATE UNIQUE INDEX usage_uploads_content ON usage_uploads (org_id, license_server_id, sha256) WHERE status = 'done';
CREATE INDEX usage_uploads_recent ON usage_uploads (org_id, created_at DESC);
SELECT seatwise_enable_tenancy('usage_uploads');
GRANT SELECT, INSERT, UPDATE ON usage_uploads TO seatwise_app, seatwise_system;
