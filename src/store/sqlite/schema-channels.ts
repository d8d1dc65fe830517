/**
 * SQLite schema of the broadcast channels (src/store/channel-store.ts).
 *
 * `conversations.type` carries a CHECK listing the types. SQLite cannot alter a
 * CHECK, and rebuilding the table is not possible inside the migration's
 * transaction while other tables' foreign keys point at it; widening the list
 * in the stored schema text is SQLite's documented procedure for loosening a
 * constraint (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
 * Schema Changes"): existing rows satisfy the wider CHECK, nothing on disk
 * changes. better-sqlite3 opens connections in defensive mode, so the step
 * turns it off for its own statements only.
 */
import type { Db } from './database.js';

const OLD_CHECK = "CHECK (type IN ('direct', 'group'))";
const NEW_CHECK = "CHECK (type IN ('direct', 'group', 'channel'))";

const CHANNEL_TABLES = `
  CREATE TABLE channels (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
    is_public       INTEGER NOT NULL,
    member_count    INTEGER NOT NULL
  );

  -- Reader counts: how many members' read watermark stands at each seq. A read
  -- moves one member from one row to another; the readers of seq s are the sum
  -- over the rows at or above s (few: recent messages).
  CREATE TABLE channel_read_marks (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    members         INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;

  -- A channel's admins without visiting its 100,000 readers.
  CREATE INDEX memberships_admins ON memberships (conversation_id)
   WHERE role = 'admin' AND visible_to_seq IS NULL;
`;

/** The migration step (runs inside the migration's transaction). */
export function migrateChannels(db: Db): void {
  const schemaVersion = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    const changed = db
      .prepare(
        `UPDATE sqlite_schema SET sql = replace(sql, ?, ?)
          WHERE type = 'table' AND name = 'conversations' AND instr(sql, ?) > 0`,
      )
      .run(OLD_CHECK, NEW_CHECK, OLD_CHECK).changes;
    if (changed !== 1) throw new Error('conversations.type: the CHECK to widen was not found');
    // Other connections re-read the schema when its version moves.
    db.pragma(`schema_version = ${schemaVersion + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
  db.exec(CHANNEL_TABLES);
}
