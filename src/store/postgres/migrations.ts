/**
 * Versioned schema migrations. `schema_migrations` lists the steps applied; at
 * open every missing step runs in its own transaction, in order, and records
 * itself in that same transaction. Nodes starting together are serialised by a
 * transaction-scoped advisory lock: the second one waits, then finds the step
 * applied. Append new steps at the end; never edit a released one.
 */
import type pg from 'pg';
import { POSTGRES_CHANGE_TABLES } from '../../changes/store/schema-postgres.js';
import { POSTGRES_MENTION_TABLES } from '../../mentions/store/schema-postgres.js';
import { POSTGRES_PREVIEW_TABLES } from '../../previews/store/schema-postgres.js';
import { POSTGRES_PUSH_TABLES } from '../../push/store/schema-postgres.js';
import { POSTGRES_PIN_TABLES } from '../pins/schema-postgres.js';
import { PARTITION_FUNCTIONS } from './partitions.js';
import { LOCK_MIGRATIONS, LOCK_NAMESPACE, transaction } from './pool.js';
import { ADMIN_FLAG } from './schema-admin.js';
import { POSTGRES_CHANNEL_TABLES } from './schema-channels.js';
import {
  APPEND_WITHOUT_WATERMARKS,
  FIND_REPEAT_CACHED_PLAN,
  OUTBOX_CLOSED_WINDOWS,
  WRITE_FUNCTIONS,
} from './schema-functions.js';
import { MEDIA_TABLES } from './schema-media.js';
import { CORE_TABLES, DEVICE_TABLES, MESSAGE_TABLES } from './schema-tables.js';

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: 'users, contacts, blocks, conversations, memberships', sql: CORE_TABLES },
  { name: 'partitioned messages, message keys, full-text search', sql: MESSAGE_TABLES },
  { name: 'devices and delivery cursors', sql: DEVICE_TABLES },
  { name: 'append and delivery functions', sql: WRITE_FUNCTIONS },
  { name: 'monthly message partitions', sql: PARTITION_FUNCTIONS },
  { name: 'appends move no watermark', sql: APPEND_WITHOUT_WATERMARKS },
  { name: 'media', sql: MEDIA_TABLES },
  // 8: the users.is_admin operator flag.
  { name: 'admin flag', sql: ADMIN_FLAG },
  // 9: push targets, mutes, notification settings and marks, the push job queue.
  { name: 'push notifications', sql: POSTGRES_PUSH_TABLES },
  // 10: the idempotency lookup as plpgsql, whose plan is cached (a SQL function was re-planned per call).
  { name: 'find_repeat in plpgsql', sql: FIND_REPEAT_CACHED_PLAN },
  // 11: the outbox covers windows that closed with what their devices had not acknowledged.
  { name: 'outbox of closed windows', sql: OUTBOX_CLOSED_WINDOWS },
  // Pinned and archived chats per user, the archive setting, pinned messages.
  { name: 'pins and archive', sql: POSTGRES_PIN_TABLES },
  // Mentions and the forwarded flag on messages, the mention index; the append functions write them.
  { name: 'mentions and forwarded messages', sql: POSTGRES_MENTION_TABLES },
  // Link previews: the cache by normalised URL and each message's preview (src/previews).
  { name: 'link previews', sql: POSTGRES_PREVIEW_TABLES },
  // Reactions and the per-conversation change stream (src/changes).
  { name: 'reactions and message changes', sql: POSTGRES_CHANGE_TABLES },
  // Broadcast channels: the `channel` type, channels, reader counts; appends and outboxes skip readers.
  { name: 'broadcast channels', sql: POSTGRES_CHANNEL_TABLES },
];

export interface MigrateOptions {
  /** Created when missing (the pool's connections already have it as search_path). */
  schema?: string;
  steps?: readonly Migration[];
}

/** Applies the missing steps; refuses a schema written by a newer version. Resolves with the version. */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<number> {
  const steps = options.steps ?? MIGRATIONS;
  for (;;) {
    const outcome = await transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_MIGRATIONS]);
      if (options.schema !== undefined) {
        const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [options.schema]);
        if (rowCount === 0) await client.query(`CREATE SCHEMA "${options.schema}"`);
      }
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    integer PRIMARY KEY,
           name       text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(
        'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
      );
      const current = rows[0]?.version ?? 0;
      if (current > steps.length) {
        throw new Error(
          `database schema version ${current} is newer than this server knows (${steps.length}); refusing to open`,
        );
      }
      const step = steps[current];
      if (!step) return { version: current, done: true };
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [current + 1, step.name]);
      return { version: current + 1, done: current + 1 === steps.length };
    });
    if (outcome.done) return outcome.version;
  }
}
