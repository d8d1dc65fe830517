/**
 * SQLite step: per-user chat states (pinned, archived), the archive setting,
 * and pinned messages. A state row exists only once a user pinned or archived
 * the conversation; no row reads as neither.
 */
export const SQLITE_PIN_TABLES = `
CREATE TABLE chat_states (
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  pinned_at       TEXT,    -- NULL: not pinned
  pin_rank        INTEGER, -- higher: pinned later; listed first
  archived_at     TEXT,    -- NULL: not archived
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
-- A new message looks up who has its conversation archived.
CREATE INDEX chat_states_archived ON chat_states (conversation_id) WHERE archived_at IS NOT NULL;

CREATE TABLE chat_settings (
  user_id       TEXT PRIMARY KEY,
  keep_archived INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE pinned_messages (
  pos             INTEGER PRIMARY KEY, -- pin order
  conversation_id TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  pinned_by       TEXT NOT NULL,
  pinned_at       TEXT NOT NULL,
  UNIQUE (conversation_id, message_id)
);
`;
