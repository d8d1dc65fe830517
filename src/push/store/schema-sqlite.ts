/**
 * SQLite step 5 (index 4): push targets, mutes, notification settings,
 * notified marks and the job queue. Push targets are not the WebSocket
 * `devices` of the delivery cursors: different table, different ids.
 */
export const SQLITE_PUSH_TABLES = `
CREATE TABLE push_devices (
  id                TEXT PRIMARY KEY,
  user_id           TEXT NOT NULL REFERENCES users (id),
  platform          TEXT NOT NULL CHECK (platform IN ('web', 'ios', 'android')),
  token             TEXT NOT NULL, -- APNs/FCM token, or the Web Push endpoint
  subscription_json TEXT,          -- Web Push: endpoint and keys
  created_at        TEXT NOT NULL,
  UNIQUE (platform, token)
);
CREATE INDEX push_devices_user ON push_devices (user_id);

CREATE TABLE push_mutes (
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  until           TEXT, -- NULL: until unmuted
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;

CREATE TABLE push_settings (
  user_id              TEXT PRIMARY KEY,
  do_not_disturb       INTEGER NOT NULL DEFAULT 0,
  do_not_disturb_until TEXT,
  hide_previews        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Messages up to notified_seq were covered by a notification (or skipped).
CREATE TABLE push_marks (
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  notified_seq    INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;

-- due_at: run_at while pending, the lease end while claimed (epoch ms).
CREATE TABLE push_jobs (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  key        TEXT,
  payload    TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'claimed')),
  due_at     INTEGER NOT NULL,
  attempt    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_error TEXT
);
CREATE UNIQUE INDEX push_jobs_pending_key ON push_jobs (key) WHERE state = 'pending';
CREATE INDEX push_jobs_due ON push_jobs (due_at);
`;
