/**
 * PinStore on PostgreSQL (scale-out: every node shares it). The caps are
 * checked under a transaction-scoped advisory lock on the user (chats) or the
 * conversation (messages), so concurrent pins on several nodes cannot exceed them.
 */
import type pg from 'pg';
import type { ChatSettings } from '../../protocol/pins.js';
import { type Observe, type Queryable, timed, transaction } from '../postgres/pool.js';
import {
  type ChatStateRow,
  defaultState,
  PIN_COLUMNS,
  type PinnedMessageRow,
  STATE_COLUMNS,
  toPin,
  toState,
} from './rows.js';
import {
  type ChatStateRecord,
  DEFAULT_CHAT_SETTINGS,
  type PinMessageResult,
  type PinnedMessageRecord,
  type PinStore,
} from './store.js';

/** One bigint key space for these locks (the two-int4 space of migrations does not overlap it). */
const lock = (client: Queryable, key: string) =>
  client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);

export class PostgresPinStore implements PinStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  statesOf(userId: string): Promise<ChatStateRecord[]> {
    return timed(this.observe, 'pins.statesOf', async () => {
      const { rows } = await this.pool.query<ChatStateRow>(
        `SELECT ${STATE_COLUMNS} FROM chat_states
          WHERE user_id = $1 AND (pinned_at IS NOT NULL OR archived_at IS NOT NULL)
          ORDER BY pin_rank DESC NULLS LAST, conversation_id`,
        [userId],
      );
      return rows.map(toState);
    });
  }

  stateOf(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.stateOf', () => readState(this.pool, userId, conversationId));
  }

  pinChat(userId: string, conversationId: string, at: string, max: number): Promise<ChatStateRecord | null> {
    return timed(this.observe, 'pins.pinChat', () =>
      transaction(this.pool, async (client) => {
        await lock(client, `chat-pins:${userId}`);
        const current = await readState(client, userId, conversationId);
        if (current.pinnedAt === null) {
          // Pins of conversations the user left do not count: they are out of sight.
          const { rows } = await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM chat_states s
               JOIN memberships m ON m.conversation_id = s.conversation_id AND m.user_id = s.user_id
                                 AND m.visible_to_seq IS NULL
              WHERE s.user_id = $1 AND s.pinned_at IS NOT NULL AND s.conversation_id <> $2`,
            [userId, conversationId],
          );
          if (Number(rows[0]?.n ?? 0) >= max) return null;
        }
        await client.query(
          `INSERT INTO chat_states (user_id, conversation_id, pinned_at, pin_rank, archived_at)
           VALUES ($1, $2, $3, (SELECT coalesce(max(pin_rank), 0) + 1 FROM chat_states WHERE user_id = $1), NULL)
           ON CONFLICT (user_id, conversation_id) DO UPDATE SET
             pin_rank = CASE WHEN chat_states.pinned_at IS NULL THEN excluded.pin_rank ELSE chat_states.pin_rank END,
             pinned_at = coalesce(chat_states.pinned_at, excluded.pinned_at),
             archived_at = NULL`,
          [userId, conversationId, at],
        );
        return readState(client, userId, conversationId);
      }),
    );
  }

  unpinChat(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.unpinChat', () =>
      this.change(
        userId,
        conversationId,
        'UPDATE chat_states SET pinned_at = NULL, pin_rank = NULL WHERE user_id = $1 AND conversation_id = $2',
        [],
      ),
    );
  }

  archiveChat(userId: string, conversationId: string, at: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.archiveChat', () =>
      this.change(
        userId,
        conversationId,
        `INSERT INTO chat_states (user_id, conversation_id, pinned_at, pin_rank, archived_at)
         VALUES ($1, $2, NULL, NULL, $3)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET
           pinned_at = NULL, pin_rank = NULL, archived_at = coalesce(chat_states.archived_at, excluded.archived_at)`,
        [at],
      ),
    );
  }

  unarchiveChat(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.unarchiveChat', () =>
      this.change(
        userId,
        conversationId,
        'UPDATE chat_states SET archived_at = NULL WHERE user_id = $1 AND conversation_id = $2',
        [],
      ),
    );
  }

  archivedBy(conversationId: string, at: string): Promise<string[]> {
    return timed(this.observe, 'pins.archivedBy', async () => {
      const { rows } = await this.pool.query<{ user_id: string }>(
        `SELECT s.user_id FROM chat_states s
           LEFT JOIN chat_settings c ON c.user_id = s.user_id
          WHERE s.conversation_id = $1 AND s.archived_at IS NOT NULL AND s.archived_at <= $2
            AND NOT coalesce(c.keep_archived, false)
          ORDER BY s.user_id`,
        [conversationId, at],
      );
      return rows.map((row) => row.user_id);
    });
  }

  unarchiveFor(conversationId: string, userIds: readonly string[], at: string): Promise<string[]> {
    return timed(this.observe, 'pins.unarchiveFor', async () => {
      if (userIds.length === 0) return [];
      const { rows } = await this.pool.query<{ user_id: string }>(
        `UPDATE chat_states SET archived_at = NULL
          WHERE conversation_id = $1 AND user_id = ANY($2::text[]) AND archived_at IS NOT NULL AND archived_at <= $3
          RETURNING user_id`,
        [conversationId, [...userIds], at],
      );
      const unarchived = new Set(rows.map((row) => row.user_id));
      return userIds.filter((userId) => unarchived.has(userId));
    });
  }

  chatSettings(userId: string): Promise<ChatSettings> {
    return timed(this.observe, 'pins.chatSettings', async () => {
      const { rows } = await this.pool.query<{ keep_archived: boolean }>(
        'SELECT keep_archived FROM chat_settings WHERE user_id = $1',
        [userId],
      );
      return rows[0] ? { keepArchived: rows[0].keep_archived } : { ...DEFAULT_CHAT_SETTINGS };
    });
  }

  updateChatSettings(userId: string, settings: ChatSettings): Promise<ChatSettings> {
    return timed(this.observe, 'pins.updateChatSettings', async () => {
      await this.pool.query(
        `INSERT INTO chat_settings (user_id, keep_archived) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET keep_archived = excluded.keep_archived`,
        [userId, settings.keepArchived],
      );
      return { keepArchived: settings.keepArchived };
    });
  }

  pinnedMessages(conversationId: string): Promise<PinnedMessageRecord[]> {
    return timed(this.observe, 'pins.pinnedMessages', () => readPins(this.pool, conversationId));
  }

  pinMessage(pin: PinnedMessageRecord, max: number): Promise<PinMessageResult> {
    return timed(this.observe, 'pins.pinMessage', () =>
      transaction(this.pool, async (client) => {
        await lock(client, `message-pins:${pin.conversationId}`);
        const inserted = await client.query(
          `INSERT INTO pinned_messages (${PIN_COLUMNS}) VALUES ($1, $2, $3, $4)
           ON CONFLICT (conversation_id, message_id) DO NOTHING`,
          [pin.conversationId, pin.messageId, pin.pinnedBy, pin.pinnedAt],
        );
        const all = await readPins(client, pin.conversationId);
        const replaced = all.slice(Math.max(max, 0));
        if (replaced.length > 0) {
          await client.query(
            'DELETE FROM pinned_messages WHERE conversation_id = $1 AND message_id = ANY($2::text[])',
            [pin.conversationId, replaced.map((old) => old.messageId)],
          );
        }
        return { pins: all.slice(0, max), created: (inserted.rowCount ?? 0) > 0, replaced };
      }),
    );
  }

  unpinMessage(conversationId: string, messageId: string): Promise<{ pins: PinnedMessageRecord[]; removed: boolean }> {
    return timed(this.observe, 'pins.unpinMessage', () =>
      transaction(this.pool, async (client) => {
        await lock(client, `message-pins:${conversationId}`);
        const { rowCount } = await client.query(
          'DELETE FROM pinned_messages WHERE conversation_id = $1 AND message_id = $2',
          [conversationId, messageId],
        );
        return { pins: await readPins(client, conversationId), removed: (rowCount ?? 0) > 0 };
      }),
    );
  }

  /** Runs one statement on the (user, conversation) state, then reads it back in the same transaction. */
  private change(userId: string, conversationId: string, sql: string, extra: unknown[]): Promise<ChatStateRecord> {
    return transaction(this.pool, async (client) => {
      await client.query(sql, [userId, conversationId, ...extra]);
      return readState(client, userId, conversationId);
    });
  }
}

async function readState(client: Queryable, userId: string, conversationId: string): Promise<ChatStateRecord> {
  const { rows } = await client.query<ChatStateRow>(
    `SELECT ${STATE_COLUMNS} FROM chat_states WHERE user_id = $1 AND conversation_id = $2`,
    [userId, conversationId],
  );
  return rows[0] ? toState(rows[0]) : defaultState(userId, conversationId);
}

async function readPins(client: Queryable, conversationId: string): Promise<PinnedMessageRecord[]> {
  const { rows } = await client.query<PinnedMessageRow>(
    `SELECT ${PIN_COLUMNS} FROM pinned_messages WHERE conversation_id = $1 ORDER BY pos DESC`,
    [conversationId],
  );
  return rows.map(toPin);
}
