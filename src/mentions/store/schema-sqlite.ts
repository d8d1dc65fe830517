/**
 * SQLite step: a message's mentions and forwarded flag (columns of the message
 * row, so every read returns them), and the mention index the unread-mention
 * counts read. The index is filled by a trigger in the append's own
 * transaction: a mention is stored exactly when its message is.
 */
export const SQLITE_MENTION_TABLES = `
ALTER TABLE messages ADD COLUMN mentions_json TEXT; -- JSON array of user ids; NULL when none
ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;

-- One row per (mentioned user, message): a user's unread mentions are a range of its key.
CREATE TABLE message_mentions (
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER messages_mentions_insert AFTER INSERT ON messages
  WHEN new.mentions_json IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO message_mentions (user_id, conversation_id, seq)
  SELECT value, new.conversation_id, new.seq FROM json_each(new.mentions_json);
END;
`;
