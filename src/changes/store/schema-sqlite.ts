/**
 * SQLite step: reactions (one per user per message), the per-conversation
 * change counters and the change log replayed to reconnecting clients.
 */
export const SQLITE_CHANGE_TABLES = `
CREATE TABLE reactions (
  message_id      TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  emoji           TEXT NOT NULL,
  at              TEXT NOT NULL,
  PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;

CREATE TABLE change_heads (
  conversation_id TEXT PRIMARY KEY,
  change_seq      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE message_changes (
  conversation_id TEXT NOT NULL,
  change_seq      INTEGER NOT NULL,
  message_id      TEXT NOT NULL,
  message_seq     INTEGER NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('reaction', 'edit', 'delete')),
  user_id         TEXT NOT NULL,
  emoji           TEXT,
  at              TEXT NOT NULL,
  PRIMARY KEY (conversation_id, change_seq)
) WITHOUT ROWID;
`;
