/**
 * ChangeStore on PostgreSQL (scale-out). Every change of a conversation first
 * locks its change_heads row: change numbers are handed out and committed in
 * order across nodes, and a reaction cannot slip in beside a deletion.
 */
import type pg from 'pg';
import { attachMediaOne } from '../../store/postgres/media.js';
import { type Observe, timed, transaction } from '../../store/postgres/pool.js';
import { MESSAGE_COLUMNS, type MessageRow, qualified, toMessage } from '../../store/postgres/rows.js';
import { bound, CHANGE_COLUMNS, type ChangeRow, type SummaryRow, toChange, toCounts, toSummaries } from './rows.js';
import type {
  ChangeKind,
  ChangeRecord,
  ChangeStore,
  MessageChange,
  ReactionRecord,
  ReactionSummary,
  ReactResult,
} from './store.js';

const COLUMNS = qualified(MESSAGE_COLUMNS, 'm');
/** One message by id, pruned to its partition through message_keys. */
const OF_ID = 'm.id = $1 AND m.created_at = (SELECT created_at FROM message_keys WHERE id = $1)';

export class PostgresChangeStore implements ChangeStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  react(messageId: string, userId: string, emoji: string | null, at: string): Promise<ReactResult | null> {
    return timed(this.observe, 'changes.react', () =>
      transaction(this.pool, async (client) => {
        const conversationId = await lockConversationOf(client, messageId);
        if (conversationId === null) return null;
        const { rows } = await client.query<{ seq: number; deleted_at: string | null }>(
          `SELECT m.seq, m.deleted_at FROM messages m WHERE ${OF_ID}`,
          [messageId],
        );
        const target = rows[0];
        if (!target || target.deleted_at !== null) return null;
        const current = await client.query<{ emoji: string }>(
          'SELECT emoji FROM reactions WHERE message_id = $1 AND user_id = $2',
          [messageId, userId],
        );
        let change: ChangeRecord | null = null;
        if ((current.rows[0]?.emoji ?? null) !== emoji) {
          if (emoji === null) {
            await client.query('DELETE FROM reactions WHERE message_id = $1 AND user_id = $2', [messageId, userId]);
          } else {
            await client.query(
              `INSERT INTO reactions (message_id, user_id, conversation_id, emoji, at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (message_id, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
              [messageId, userId, conversationId, emoji, at],
            );
          }
          change = await record(client, conversationId, messageId, target.seq, 'reaction', userId, emoji, at);
        }
        const counts = await client.query<{ emoji: string; count: string }>(
          `SELECT emoji, count(*) AS count FROM reactions WHERE message_id = $1
            GROUP BY emoji ORDER BY count(*) DESC, min(at), emoji`,
          [messageId],
        );
        return { change, reactions: toCounts(counts.rows) };
      }),
    );
  }

  edit(messageId: string, content: string, actorId: string, at: string): Promise<MessageChange | null> {
    return timed(this.observe, 'changes.edit', async () => {
      const done = await transaction(this.pool, async (client) => {
        const conversationId = await lockConversationOf(client, messageId);
        if (conversationId === null) return null;
        const { rows } = await client.query<MessageRow>(
          `UPDATE messages m SET content = $2, edited_at = $3 WHERE ${OF_ID} AND m.deleted_at IS NULL
           RETURNING ${COLUMNS}`,
          [messageId, content, at],
        );
        const row = rows[0];
        if (!row) return null;
        const message = toMessage(row);
        return {
          message,
          change: await record(client, conversationId, messageId, message.seq, 'edit', actorId, null, at),
        };
      });
      if (!done) return null;
      const message = await attachMediaOne(this.pool, done.message);
      return message ? { message, change: done.change } : null;
    });
  }

  softDelete(messageId: string, actorId: string, at: string): Promise<MessageChange | null> {
    return timed(this.observe, 'changes.softDelete', () =>
      transaction(this.pool, async (client) => {
        const conversationId = await lockConversationOf(client, messageId);
        if (conversationId === null) return null;
        const { rows } = await client.query<MessageRow>(
          `UPDATE messages m SET content = '', media_id = NULL, deleted_at = $2 WHERE ${OF_ID} AND m.deleted_at IS NULL
           RETURNING ${COLUMNS}`,
          [messageId, at],
        );
        const row = rows[0];
        if (!row) {
          // Deleting again changes nothing and records nothing.
          const existing = await client.query<MessageRow>(`SELECT ${COLUMNS} FROM messages m WHERE ${OF_ID}`, [
            messageId,
          ]);
          return existing.rows[0] ? { message: toMessage(existing.rows[0]), change: null } : null;
        }
        await client.query('DELETE FROM reactions WHERE message_id = $1', [messageId]);
        const message = toMessage(row);
        return {
          message,
          change: await record(client, conversationId, messageId, message.seq, 'delete', actorId, null, at),
        };
      }),
    );
  }

  after(conversationId: string, afterChangeSeq: number, limit: number): Promise<ChangeRecord[]> {
    return timed(this.observe, 'changes.after', async () => {
      const { rows } = await this.pool.query<ChangeRow>(
        `SELECT ${CHANGE_COLUMNS} FROM message_changes WHERE conversation_id = $1 AND change_seq > $2
          ORDER BY change_seq LIMIT $3`,
        [conversationId, bound(afterChangeSeq, -1, Number.MAX_SAFE_INTEGER), bound(limit, 0, 10_000)],
      );
      return rows.map(toChange);
    });
  }

  head(conversationId: string): Promise<number> {
    return timed(this.observe, 'changes.head', async () => {
      const { rows } = await this.pool.query<{ change_seq: number }>(
        'SELECT change_seq FROM change_heads WHERE conversation_id = $1',
        [conversationId],
      );
      return Number(rows[0]?.change_seq ?? 0);
    });
  }

  heads(userId: string): Promise<Map<string, number>> {
    return timed(this.observe, 'changes.heads', async () => {
      const { rows } = await this.pool.query<{ conversation_id: string; change_seq: number | null }>(
        `SELECT m.conversation_id, h.change_seq FROM memberships m
           LEFT JOIN change_heads h ON h.conversation_id = m.conversation_id
          WHERE m.user_id = $1 AND m.visible_to_seq IS NULL`,
        [userId],
      );
      return new Map(rows.map((row) => [row.conversation_id, Number(row.change_seq ?? 0)]));
    });
  }

  summaries(messageIds: readonly string[], viewerId: string): Promise<Map<string, ReactionSummary[]>> {
    return timed(this.observe, 'changes.summaries', async () => {
      if (messageIds.length === 0) return new Map();
      const { rows } = await this.pool.query<SummaryRow>(
        `SELECT message_id, emoji, count(*) AS count, bool_or(user_id = $2) AS me FROM reactions
          WHERE message_id = ANY($1::text[])
          GROUP BY message_id, emoji ORDER BY message_id, count(*) DESC, min(at), emoji`,
        [messageIds, viewerId],
      );
      return toSummaries(rows);
    });
  }

  reactors(messageId: string, limit: number): Promise<ReactionRecord[]> {
    return timed(this.observe, 'changes.reactors', async () => {
      const { rows } = await this.pool.query<{ user_id: string; emoji: string; at: string }>(
        'SELECT user_id, emoji, at FROM reactions WHERE message_id = $1 ORDER BY at, user_id LIMIT $2',
        [messageId, bound(limit, 0, 10_000)],
      );
      return rows.map((row) => ({ userId: row.user_id, emoji: row.emoji, at: row.at }));
    });
  }
}

/** The message's conversation, with its change counter locked for this transaction; null if missing. */
async function lockConversationOf(client: pg.PoolClient, messageId: string): Promise<string | null> {
  const { rows } = await client.query<{ conversation_id: string }>(
    'SELECT conversation_id FROM message_keys WHERE id = $1',
    [messageId],
  );
  const conversationId = rows[0]?.conversation_id;
  if (conversationId === undefined) return null;
  await client.query(
    'INSERT INTO change_heads (conversation_id, change_seq) VALUES ($1, 0) ON CONFLICT (conversation_id) DO NOTHING',
    [conversationId],
  );
  await client.query('SELECT change_seq FROM change_heads WHERE conversation_id = $1 FOR UPDATE', [conversationId]);
  return conversationId;
}

async function record(
  client: pg.PoolClient,
  conversationId: string,
  messageId: string,
  messageSeq: number,
  kind: ChangeKind,
  userId: string,
  emoji: string | null,
  at: string,
): Promise<ChangeRecord> {
  const { rows } = await client.query<ChangeRow>(
    `WITH next AS (
       UPDATE change_heads SET change_seq = change_seq + 1 WHERE conversation_id = $1 RETURNING change_seq
     )
     INSERT INTO message_changes (${CHANGE_COLUMNS})
     SELECT $1, next.change_seq, $2, $3, $4, $5, $6, $7 FROM next
     RETURNING ${CHANGE_COLUMNS}`,
    [conversationId, messageId, messageSeq, kind, userId, emoji, at],
  );
  if (!rows[0]) throw new Error('change insert returned nothing');
  return toChange(rows[0]);
}
