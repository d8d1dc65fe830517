/**
 * PostgreSQL step 9 (index 8): the tables of SQLite step 5 (schema-sqlite.ts).
 * The job queue is claimed with FOR UPDATE SKIP LOCKED: several nodes poll it
 * and each job goes to one of them.
 */
export const POSTGRES_PUSH_TABLES = `
CREATE TABLE push_devices (
  id                text COLLATE "C" PRIMARY KEY,
  user_id           text COLLATE "C" NOT NULL REFERENCES users (id),
  platform          text NOT NULL CHECK (platform IN ('web', 'ios', 'android')),
  token             text COLLATE "C" NOT NULL, -- APNs/FCM token, or the Web Push endpoint
  subscription_json text,                      -- Web Push: endpoint and keys
  created_at        text COLLATE "C" NOT NULL,
  CONSTRAINT push_devices_platform_token UNIQUE (platform, token)
);
CREATE INDEX push_devices_user ON push_devices (user_id);

CREATE TABLE push_mutes (
  user_id         text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  until           text COLLATE "C", -- NULL: until unmuted
  PRIMARY KEY (user_id, conversation_id)
);

CREATE TABLE push_settings (
  user_id              text COLLATE "C" PRIMARY KEY,
  do_not_disturb       boolean NOT NULL DEFAULT false,
  do_not_disturb_until text COLLATE "C",
  hide_previews        boolean NOT NULL DEFAULT false
);

CREATE TABLE push_marks (
  user_id         text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  notified_seq    bigint NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
);

-- due_at: run_at while pending, the lease end while claimed (epoch ms).
CREATE TABLE push_jobs (
  id         text COLLATE "C" PRIMARY KEY,
  kind       text NOT NULL,
  key        text COLLATE "C",
  payload    text NOT NULL,
  state      text NOT NULL CHECK (state IN ('pending', 'claimed')),
  due_at     bigint NOT NULL,
  attempt    integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  last_error text
);
CREATE UNIQUE INDEX push_jobs_pending_key ON push_jobs (key) WHERE state = 'pending';
CREATE INDEX push_jobs_due ON push_jobs (due_at);
`;
