/**
 * MessageStore on PostgreSQL; appends go through the group committer. Reads of
 * one message look its created_at up in message_keys first, which prunes the
 * messages scan to the one partition holding the row.
 */
import type pg from 'pg';
import type { MessageDraft, MessageRecord } from '../records.js';
import type { AppendResult, HistoryPage, MessageStore, SearchHit } from '../stores.js';
import { type AppendCommitter, invalidDraft } from './append.js';
import { attachMedia, attachMediaOne } from './media.js';
import { type Observe, report, timed } from './pool.js';
import { MESSAGE_COLUMNS, type MessageRow, qualified, toMessage } from './rows.js';
import { searchWords } from './search-query.js';

/** Larger than any seq; stands for an open end of a window. */
const NO_END = Number.MAX_SAFE_INTEGER;

function seqBound(value: number, fallback: number): number {
  if (Number.isNaN(value)) return fallback;
  if (value === Infinity) return NO_END;
  if (value === -Infinity) return -NO_END;
  return Math.max(-NO_END, Math.min(NO_END, Math.floor(value)));
}

const COLUMNS = qualified(MESSAGE_COLUMNS, 'm');

/**
 * Messages of a conversation in a seq range: a merge of each partition's
 * (conversation_id, seq) index, reading about `limit` rows.
 */
function rangeQuery(direction: 'ASC' | 'DESC'): string {
  return `SELECT ${COLUMNS} FROM messages m
           WHERE m.conversation_id = $1 AND m.seq >= $2 AND m.seq <= $3
           ORDER BY m.seq ${direction} LIMIT $4`;
}

const BY_ID = `SELECT ${COLUMNS} FROM messages m
  WHERE m.id = $1 AND m.created_at = (SELECT created_at FROM message_keys WHERE id = $1)`;
const BY_SEQ = `SELECT ${COLUMNS} FROM messages m
  WHERE m.conversation_id = $1 AND m.seq = $2
    AND m.created_at = (SELECT created_at FROM message_keys WHERE conversation_id = $1 AND seq = $2)`;
const OF_ID = 'm.id = $2 AND m.created_at = (SELECT created_at FROM message_keys WHERE id = $2)';

export class PostgresMessageStore implements MessageStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly committer: AppendCommitter,
    private readonly observe?: Observe,
  ) {}

  append(draft: MessageDraft): Promise<AppendResult> {
    const invalid = invalidDraft(draft);
    if (invalid) return Promise.reject(invalid);
    const startedAt = performance.now();
    const settled = () => report(this.observe, 'messages.append', startedAt);
    const result = this.committer.enqueue(draft).then(async (appended) => {
      if (appended.message.mediaId === null) return appended;
      // Committed already: a failed media lookup must not turn a stored message into a failed send.
      await attachMediaOne(this.pool, appended.message).catch(() => {});
      return appended;
    });
    result.then(settled, settled);
    return result;
  }

  byId(id: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.byId', () => this.one(BY_ID, [id]));
  }

  bySeq(conversationId: string, seq: number): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.bySeq', async () => {
      if (!Number.isSafeInteger(seq)) return null;
      return this.one(BY_SEQ, [conversationId, seq]);
    });
  }

  page(
    conversationId: string,
    window: { fromSeq: number; toSeq: number },
    options: { limit: number; before?: number; after?: number },
  ): Promise<HistoryPage> {
    return timed(this.observe, 'messages.page', async () => {
      let from = Math.max(1, seqBound(window.fromSeq, 1));
      let to = seqBound(window.toSeq, NO_END);
      const limit = Math.max(0, seqBound(options.limit, 0));
      if (options.before !== undefined) to = Math.min(to, seqBound(options.before, NO_END) - 1);
      if (options.after !== undefined) from = Math.max(from, seqBound(options.after, 0) + 1);
      if (from > to) return { messages: [], hasMore: false };
      // One row more than asked tells whether the window holds more that way.
      const ascending = options.after !== undefined;
      const { rows } = await this.pool.query<MessageRow>(rangeQuery(ascending ? 'ASC' : 'DESC'), [
        conversationId,
        from,
        to,
        Math.min(limit, NO_END - 1) + 1,
      ]);
      const messages = await attachMedia(this.pool, rows.slice(0, limit).map(toMessage));
      return { messages: ascending ? messages : messages.reverse(), hasMore: rows.length > limit };
    });
  }

  search(
    userId: string,
    query: string,
    options: { conversationId?: string; limit: number; cursor?: string },
  ): Promise<SearchHit[]> {
    return timed(this.observe, 'messages.search', async () => {
      const words = searchWords(query);
      const limit = Math.floor(options.limit);
      if (words === null || !(limit > 0)) return [];
      const values: unknown[] = [userId, words, limit];
      const conditions = [
        'm.search @@ chat_words_tsquery($2::text[])',
        'm.seq >= mb.visible_from_seq',
        '(mb.visible_to_seq IS NULL OR m.seq <= mb.visible_to_seq)',
        'm.deleted_at IS NULL',
        "m.type <> 'system'",
      ];
      if (options.conversationId !== undefined) {
        values.push(options.conversationId);
        conditions.push(`m.conversation_id = $${values.length}`);
      }
      if (options.cursor !== undefined) {
        // A cursor is a String(pos) this store handed out; anything else matches nothing.
        if (!/^[1-9][0-9]{0,15}$/.test(options.cursor)) return [];
        values.push(Number(options.cursor));
        conditions.push(`m.pos < $${values.length}`);
      }
      const { rows } = await this.pool.query<MessageRow>(
        `SELECT ${COLUMNS}
           FROM messages m
           JOIN memberships mb ON mb.conversation_id = m.conversation_id AND mb.user_id = $1
          WHERE ${conditions.join(' AND ')}
          ORDER BY m.pos DESC
          LIMIT $3`,
        values,
      );
      const messages = await attachMedia(this.pool, rows.map(toMessage));
      return rows.map((row, i) => ({ message: messages[i] ?? toMessage(row), cursor: String(row.pos) }));
    });
  }

  sendersBetween(conversationId: string, afterSeq: number, toSeq: number): Promise<string[]> {
    return timed(this.observe, 'messages.sendersBetween', async () => {
      const from = seqBound(afterSeq, NO_END);
      const to = seqBound(toSeq, -NO_END);
      if (from >= to) return [];
      // A range scan of the (conversation_id, seq) key, without touching the messages.
      const { rows } = await this.pool.query<{ sender_id: string }>(
        `SELECT DISTINCT sender_id FROM message_keys WHERE conversation_id = $1 AND seq > $2 AND seq <= $3`,
        [conversationId, from, to],
      );
      return rows.map((row) => row.sender_id);
    });
  }

  edit(id: string, content: string, editedAt: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.edit', () =>
      this.one(
        `UPDATE messages m SET content = $1, edited_at = $3
          WHERE ${OF_ID} AND m.deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [content, id, editedAt],
      ),
    );
  }

  softDelete(id: string, deletedAt: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.softDelete', async () => {
      const deleted = await this.one(
        `UPDATE messages m SET content = '', media_id = NULL, deleted_at = $1
          WHERE ${OF_ID} AND m.deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [deletedAt, id],
      );
      // Deleting again leaves the row as it is and returns it.
      return deleted ?? this.one(BY_ID, [id]);
    });
  }

  private async one(sql: string, values: unknown[]): Promise<MessageRecord | null> {
    const { rows } = await this.pool.query<MessageRow>(sql, values);
    return attachMediaOne(this.pool, rows[0] ? toMessage(rows[0]) : null);
  }
}
