/** MessageStore on SQLite; appends go through the group committer. */

import type { MessageDraft, MessageRecord } from '../records.js';
import type { AppendResult, HistoryPage, MessageStore, SearchHit } from '../stores.js';
import { type Db, type Observe, report, timed } from './database.js';
import type { GroupCommitter } from './group-commit.js';
import { MediaLoader } from './media.js';
import { MESSAGE_COLUMNS, type MessageRow, qualified, toMessage } from './rows.js';
import { toFtsQuery } from './search-query.js';

/** Larger than any seq; stands for an open end of a window. */
const NO_END = Number.MAX_SAFE_INTEGER;

function seqBound(value: number, fallback: number): number {
  if (Number.isNaN(value)) return fallback;
  if (value === Infinity) return NO_END;
  if (value === -Infinity) return -NO_END;
  return Math.floor(value);
}

export class SqliteMessageStore implements MessageStore {
  private readonly statements;
  private readonly searchStatements = new Map<string, ReturnType<Db['prepare']>>();
  private readonly media: MediaLoader;

  constructor(
    private readonly db: Db,
    private readonly committer: GroupCommitter,
    private readonly observe?: Observe,
  ) {
    this.media = new MediaLoader(db);
    this.statements = {
      byId: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      bySeq: db.prepare<[string, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq = ?`,
      ),
      newestIn: db.prepare<[string, number, number, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
          WHERE conversation_id = ? AND seq >= ? AND seq <= ? ORDER BY seq DESC LIMIT ?`,
      ),
      oldestIn: db.prepare<[string, number, number, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
          WHERE conversation_id = ? AND seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT ?`,
      ),
      // A range scan of the (conversation_id, seq) unique index.
      sendersBetween: db
        .prepare<[string, number, number], string>(
          `SELECT DISTINCT sender_id FROM messages
            WHERE conversation_id = ? AND seq > ? AND seq <= ?`,
        )
        .pluck(),
      edit: db.prepare<[string, string, string], MessageRow>(
        `UPDATE messages SET content = ?, edited_at = ? WHERE id = ? AND deleted_at IS NULL
         RETURNING ${MESSAGE_COLUMNS}`,
      ),
      softDelete: db.prepare<[string, string], MessageRow>(
        `UPDATE messages SET content = '', media_id = NULL, deleted_at = ? WHERE id = ? AND deleted_at IS NULL
         RETURNING ${MESSAGE_COLUMNS}`,
      ),
    };
  }

  append(draft: MessageDraft): Promise<AppendResult> {
    const startedAt = performance.now();
    const settled = () => report(this.observe, 'messages.append', startedAt);
    const result = this.committer.enqueue(draft).then((appended) => {
      // Committed already: a failed media lookup must not turn a stored message into a failed send.
      try {
        this.media.attachOne(appended.message);
      } catch {
        // The message goes out without its media; reads attach it again.
      }
      return appended;
    });
    result.then(settled, settled);
    return result;
  }

  byId(id: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.byId', () => {
      const row = this.statements.byId.get(id);
      return this.media.attachOne(row ? toMessage(row) : null);
    });
  }

  bySeq(conversationId: string, seq: number): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.bySeq', () => {
      const row = this.statements.bySeq.get(conversationId, seq);
      return this.media.attachOne(row ? toMessage(row) : null);
    });
  }

  page(
    conversationId: string,
    window: { fromSeq: number; toSeq: number },
    options: { limit: number; before?: number; after?: number },
  ): Promise<HistoryPage> {
    return timed(this.observe, 'messages.page', () => {
      let from = Math.max(1, seqBound(window.fromSeq, 1));
      let to = seqBound(window.toSeq, NO_END);
      const limit = Math.max(0, seqBound(options.limit, 0));
      if (options.before !== undefined) to = Math.min(to, seqBound(options.before, NO_END) - 1);
      if (options.after !== undefined) from = Math.max(from, seqBound(options.after, 0) + 1);
      if (from > to) return { messages: [], hasMore: false };
      // One row more than asked tells whether the window holds more that way.
      if (options.after !== undefined) {
        const rows = this.statements.oldestIn.all(conversationId, from, to, limit + 1);
        return { messages: this.media.attach(rows.slice(0, limit).map(toMessage)), hasMore: rows.length > limit };
      }
      const rows = this.statements.newestIn.all(conversationId, from, to, limit + 1);
      return {
        messages: this.media.attach(rows.slice(0, limit).reverse().map(toMessage)),
        hasMore: rows.length > limit,
      };
    });
  }

  search(
    userId: string,
    query: string,
    options: { conversationId?: string; limit: number; cursor?: string },
  ): Promise<SearchHit[]> {
    return timed(this.observe, 'messages.search', () => {
      const match = toFtsQuery(query);
      const limit = Math.floor(options.limit);
      if (match === null || !(limit > 0)) return [];
      let before: number | undefined;
      if (options.cursor !== undefined) {
        // A cursor is a String(pos) this store handed out; anything else matches nothing.
        if (!/^[1-9][0-9]{0,15}$/.test(options.cursor)) return [];
        before = Number(options.cursor);
      }
      const conditions = [
        'messages_fts MATCH @match',
        'm.seq >= mb.visible_from_seq',
        '(mb.visible_to_seq IS NULL OR m.seq <= mb.visible_to_seq)',
        'm.deleted_at IS NULL',
        "m.type <> 'system'",
      ];
      if (options.conversationId !== undefined) conditions.push('m.conversation_id = @conversationId');
      if (before !== undefined) conditions.push('f.rowid < @before');
      // CROSS JOIN fixes the order: the full-text index first, newest match
      // first. Left to itself, SQLite walked a conversationId's every message
      // by (conversation_id, seq) and ran MATCH once per row: 6.7 s on a
      // conversation of 20k messages instead of about a millisecond.
      const sql = `SELECT ${qualified(MESSAGE_COLUMNS, 'm')}
          FROM messages_fts f
          CROSS JOIN messages m ON m.pos = f.rowid
          CROSS JOIN memberships mb ON mb.conversation_id = m.conversation_id AND mb.user_id = @userId
         WHERE ${conditions.join(' AND ')}
         ORDER BY f.rowid DESC
         LIMIT @limit`;
      let statement = this.searchStatements.get(sql);
      if (!statement) {
        statement = this.db.prepare(sql);
        this.searchStatements.set(sql, statement);
      }
      const rows = statement.all({
        match,
        userId,
        limit,
        ...(options.conversationId !== undefined ? { conversationId: options.conversationId } : {}),
        ...(before !== undefined ? { before } : {}),
      }) as MessageRow[];
      const messages = this.media.attach(rows.map(toMessage));
      return rows.map((row, i) => ({ message: messages[i] ?? toMessage(row), cursor: String(row.pos) }));
    });
  }

  sendersBetween(conversationId: string, afterSeq: number, toSeq: number): Promise<string[]> {
    return timed(this.observe, 'messages.sendersBetween', () => {
      const from = seqBound(afterSeq, NO_END);
      const to = seqBound(toSeq, -NO_END);
      if (from >= to) return [];
      return this.statements.sendersBetween.all(conversationId, from, to);
    });
  }

  edit(id: string, content: string, editedAt: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.edit', () => {
      const row = this.statements.edit.get(content, editedAt, id);
      return this.media.attachOne(row ? toMessage(row) : null);
    });
  }

  softDelete(id: string, deletedAt: string): Promise<MessageRecord | null> {
    return timed(this.observe, 'messages.softDelete', () => {
      // Deleting again leaves the row as it is and returns it.
      const row = this.statements.softDelete.get(deletedAt, id) ?? this.statements.byId.get(id);
      return row ? toMessage(row) : null;
    });
  }
}
