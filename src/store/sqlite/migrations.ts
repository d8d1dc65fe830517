/**
 * Versioned schema migrations. The database's `PRAGMA user_version` counts the
 * steps applied; at open every missing step runs in its own transaction, in
 * order. Append new steps at the end; never edit a released one.
 */
import { SQLITE_CHANGE_TABLES } from '../../changes/store/schema-sqlite.js';
import { SQLITE_MENTION_TABLES } from '../../mentions/store/schema-sqlite.js';
import { SQLITE_PREVIEW_TABLES } from '../../previews/store/schema-sqlite.js';
import { SQLITE_PUSH_TABLES } from '../../push/store/schema-sqlite.js';
import { SQLITE_PIN_TABLES } from '../pins/schema-sqlite.js';
import type { Db } from './database.js';
import { migrateChannels } from './schema-channels.js';
import { SQLITE_BULK_SEARCH_INDEX } from './search-index.js';

/** SQL, or a function for what SQL alone cannot do; run inside the step's transaction. */
export type MigrationStep = string | ((db: Db) => void);

export const MIGRATIONS: readonly MigrationStep[] = [
  // 1: users, contacts, blocks, conversations, memberships, messages, search.
  `
  CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    avatar_url        TEXT,
    phone             TEXT,
    password_hash     TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    privacy_presence  TEXT NOT NULL DEFAULT 'everyone'
                      CHECK (privacy_presence IN ('everyone', 'contacts', 'nobody')),
    privacy_last_seen TEXT NOT NULL DEFAULT 'everyone'
                      CHECK (privacy_last_seen IN ('everyone', 'contacts', 'nobody'))
  );

  CREATE TABLE contacts (
    owner_id   TEXT NOT NULL REFERENCES users (id),
    contact_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (owner_id, contact_id)
  );

  CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
  );

  CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    type             TEXT NOT NULL CHECK (type IN ('direct', 'group')),
    name             TEXT,
    avatar_url       TEXT,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_seq         INTEGER NOT NULL DEFAULT 0,
    last_activity_at TEXT NOT NULL,
    send_policy      TEXT NOT NULL DEFAULT 'all' CHECK (send_policy IN ('all', 'admins')),
    -- The sorted pair of a direct conversation; NULL for groups.
    direct_key       TEXT UNIQUE
  );

  CREATE TABLE memberships (
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    joined_at        TEXT NOT NULL,
    visible_from_seq INTEGER NOT NULL,
    visible_to_seq   INTEGER,
    sent_seq         INTEGER NOT NULL DEFAULT 0,
    delivered_seq    INTEGER NOT NULL DEFAULT 0,
    read_seq         INTEGER NOT NULL DEFAULT 0,
    delivered_at     TEXT,
    read_at          TEXT,
    PRIMARY KEY (conversation_id, user_id)
  );
  CREATE INDEX memberships_user ON memberships (user_id);

  CREATE TABLE messages (
    pos             INTEGER PRIMARY KEY, -- global insertion order; the search cursor
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    sender_id       TEXT NOT NULL,
    client_msg_id   TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('text', 'image', 'video', 'file', 'system')),
    content         TEXT NOT NULL,
    media_id        TEXT,
    reply_to_id     TEXT,
    created_at      TEXT NOT NULL,
    edited_at       TEXT,
    deleted_at      TEXT,
    system_json     TEXT,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_id, client_msg_id)
  );

  CREATE VIRTUAL TABLE messages_fts USING fts5(
    content,
    content = 'messages',
    content_rowid = 'pos',
    tokenize = "unicode61 remove_diacritics 2"
  );

  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.pos, new.content);
  END;

  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pos, old.content);
  END;

  CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pos, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pos, new.content);
  END;
  `,

  // 2: devices and their per-conversation delivery cursors.
  `
  CREATE TABLE devices (
    user_id       TEXT NOT NULL REFERENCES users (id),
    device_id     TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id)
  ) WITHOUT ROWID;

  -- Everything up to acked_seq was acknowledged by the device.
  CREATE TABLE device_cursors (
    user_id         TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    acked_seq       INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id, conversation_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id)
  ) WITHOUT ROWID;
  `,

  // 3: uploaded media; messages find theirs by media_id.
  `
  CREATE TABLE media (
    id                  TEXT PRIMARY KEY,
    uploader_id         TEXT NOT NULL REFERENCES users (id),
    sha256              TEXT NOT NULL, -- of the uploaded bytes: the deduplication key
    kind                TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'file')),
    mime_type           TEXT NOT NULL,
    size                INTEGER NOT NULL,
    blob_key            TEXT NOT NULL, -- sha256 of the served bytes
    file_name           TEXT,
    width               INTEGER,
    height              INTEGER,
    duration_ms         INTEGER,
    thumbnail_key       TEXT,
    thumbnail_mime_type TEXT,
    thumbnail_size      INTEGER,
    thumbnail_width     INTEGER,
    thumbnail_height    INTEGER,
    created_at          TEXT NOT NULL,
    last_used_at        TEXT NOT NULL,
    UNIQUE (uploader_id, sha256)
  );
  CREATE INDEX media_last_used ON media (last_used_at);
  CREATE INDEX media_blob ON media (blob_key);
  CREATE INDEX media_thumbnail ON media (thumbnail_key) WHERE thumbnail_key IS NOT NULL;
  CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
  `,

  // 4: the operator flag; the first registered user is admin (set by the trigger
  // in the same statement, so no reader sees an admin-less first user).
  `
  ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
  UPDATE users SET is_admin = 1
   WHERE id = (SELECT id FROM users ORDER BY created_at, rowid LIMIT 1);
  CREATE TRIGGER users_first_is_admin AFTER INSERT ON users
    WHEN NOT EXISTS (SELECT 1 FROM users WHERE rowid <> new.rowid)
  BEGIN
    UPDATE users SET is_admin = 1 WHERE id = new.id;
  END;
  `,

  // 5: push targets, mutes, notification settings and marks, the push job queue.
  SQLITE_PUSH_TABLES,

  // Pinned and archived chats per user, the archive setting, pinned messages.
  SQLITE_PIN_TABLES,

  // Mentions and the forwarded flag on messages, the mention index (src/mentions).
  SQLITE_MENTION_TABLES,

  // Link previews: the cache by normalised URL and each message's preview (src/previews).
  SQLITE_PREVIEW_TABLES,

  // Reactions and the per-conversation change stream (src/changes).
  SQLITE_CHANGE_TABLES,

  // Broadcast channels: the `channel` conversation type, channels, reader counts.
  migrateChannels,

  // Full-text indexing once per write transaction instead of once per row (search-index.ts).
  SQLITE_BULK_SEARCH_INDEX,
];

/** Applies the missing steps; refuses a database written by a newer version. */
export function migrate(db: Db, steps: readonly MigrationStep[] = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > steps.length) {
    throw new Error(
      `database schema version ${current} is newer than this server knows (${steps.length}); refusing to open`,
    );
  }
  for (const [version, sql] of steps.entries()) {
    if (version < current) continue;
    db.transaction(() => {
      if (typeof sql === 'string') db.exec(sql);
      else sql(db);
      // Part of the same transaction: the step and its version land together.
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
