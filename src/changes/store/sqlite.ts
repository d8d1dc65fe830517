/**
 * ChangeStore on SQLite (embedded, one node). Writes run on the writer
 * thread, each change in one transaction with its change number.
 */
import { type Db, type Observe, timed } from '../../store/sqlite/database.js';
import { MediaLoader } from '../../store/sqlite/media.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from '../../store/sqlite/rows.js';
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

interface Target {
  conversation_id: string;
  seq: number;
  deleted_at: string | null;
}

export class SqliteChangeStore implements ChangeStore {
  private readonly statements;
  private readonly media: MediaLoader;
  private readonly reactTransaction;
  private readonly editTransaction;
  private readonly deleteTransaction;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.media = new MediaLoader(db);
    const s = {
      target: db.prepare<[string], Target>('SELECT conversation_id, seq, deleted_at FROM messages WHERE id = ?'),
      message: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      reactionOf: db
        .prepare<[string, string], string>('SELECT emoji FROM reactions WHERE message_id = ? AND user_id = ?')
        .pluck(),
      putReaction: db.prepare<[string, string, string, string, string]>(
        `INSERT INTO reactions (message_id, user_id, conversation_id, emoji, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
      ),
      dropReaction: db.prepare<[string, string]>('DELETE FROM reactions WHERE message_id = ? AND user_id = ?'),
      dropReactions: db.prepare<[string]>('DELETE FROM reactions WHERE message_id = ?'),
      counts: db.prepare<[string], { emoji: string; count: number }>(
        `SELECT emoji, count(*) AS count FROM reactions WHERE message_id = ?
          GROUP BY emoji ORDER BY count DESC, min(at), emoji`,
      ),
      bump: db
        .prepare<[string], number>(
          `INSERT INTO change_heads (conversation_id, change_seq) VALUES (?, 1)
           ON CONFLICT (conversation_id) DO UPDATE SET change_seq = change_seq + 1
           RETURNING change_seq`,
        )
        .pluck(),
      insertChange: db.prepare<[string, number, string, number, ChangeKind, string, string | null, string], ChangeRow>(
        `INSERT INTO message_changes (${CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${CHANGE_COLUMNS}`,
      ),
      edit: db.prepare<[string, string, string], MessageRow>(
        `UPDATE messages SET content = ?, edited_at = ? WHERE id = ? AND deleted_at IS NULL
         RETURNING ${MESSAGE_COLUMNS}`,
      ),
      softDelete: db.prepare<[string, string], MessageRow>(
        `UPDATE messages SET content = '', media_id = NULL, deleted_at = ? WHERE id = ? AND deleted_at IS NULL
         RETURNING ${MESSAGE_COLUMNS}`,
      ),
      after: db.prepare<[string, number, number], ChangeRow>(
        `SELECT ${CHANGE_COLUMNS} FROM message_changes WHERE conversation_id = ? AND change_seq > ?
          ORDER BY change_seq LIMIT ?`,
      ),
      head: db.prepare<[string], number>('SELECT change_seq FROM change_heads WHERE conversation_id = ?').pluck(),
      heads: db.prepare<[string], { conversation_id: string; change_seq: number | null }>(
        `SELECT m.conversation_id, h.change_seq FROM memberships m
           LEFT JOIN change_heads h ON h.conversation_id = m.conversation_id
          WHERE m.user_id = ? AND m.visible_to_seq IS NULL`,
      ),
      summaries: db.prepare<[string, string], SummaryRow>(
        `SELECT message_id, emoji, count(*) AS count, max(user_id = ?) AS me FROM reactions
          WHERE message_id IN (SELECT value FROM json_each(?))
          GROUP BY message_id, emoji ORDER BY message_id, count DESC, min(at), emoji`,
      ),
      reactors: db.prepare<[string, number], { user_id: string; emoji: string; at: string }>(
        'SELECT user_id, emoji, at FROM reactions WHERE message_id = ? ORDER BY at, user_id LIMIT ?',
      ),
    };
    this.statements = s;
    const record = (
      target: Target,
      messageId: string,
      kind: ChangeKind,
      userId: string,
      emoji: string | null,
      at: string,
    ) => {
      const changeSeq = s.bump.get(target.conversation_id);
      if (changeSeq === undefined) throw new Error('change counter returned nothing');
      const row = s.insertChange.get(target.conversation_id, changeSeq, messageId, target.seq, kind, userId, emoji, at);
      if (!row) throw new Error('change insert returned nothing');
      return toChange(row);
    };
    this.reactTransaction = db.transaction(
      (messageId: string, userId: string, emoji: string | null, at: string): ReactResult | null => {
        const target = s.target.get(messageId);
        if (!target || target.deleted_at !== null) return null;
        const current = s.reactionOf.get(messageId, userId) ?? null;
        let change: ChangeRecord | null = null;
        if (current !== emoji) {
          if (emoji === null) s.dropReaction.run(messageId, userId);
          else s.putReaction.run(messageId, userId, target.conversation_id, emoji, at);
          change = record(target, messageId, 'reaction', userId, emoji, at);
        }
        return { change, reactions: toCounts(s.counts.all(messageId)) };
      },
    );
    this.editTransaction = db.transaction((messageId: string, content: string, actorId: string, at: string) => {
      const row = s.edit.get(content, at, messageId);
      if (!row) return null;
      return { row, change: record(row, messageId, 'edit', actorId, null, at) };
    });
    this.deleteTransaction = db.transaction((messageId: string, actorId: string, at: string) => {
      const row = s.softDelete.get(at, messageId);
      if (!row) {
        const existing = s.message.get(messageId);
        return existing ? { row: existing, change: null } : null;
      }
      s.dropReactions.run(messageId);
      return { row, change: record(row, messageId, 'delete', actorId, null, at) };
    });
  }

  react(messageId: string, userId: string, emoji: string | null, at: string): Promise<ReactResult | null> {
    return timed(this.observe, 'changes.react', () => this.reactTransaction.immediate(messageId, userId, emoji, at));
  }

  edit(messageId: string, content: string, actorId: string, at: string): Promise<MessageChange | null> {
    return timed(this.observe, 'changes.edit', () => {
      const done = this.editTransaction.immediate(messageId, content, actorId, at);
      if (!done) return null;
      const message = this.media.attachOne(toMessage(done.row));
      return message ? { message, change: done.change } : null;
    });
  }

  softDelete(messageId: string, actorId: string, at: string): Promise<MessageChange | null> {
    return timed(this.observe, 'changes.softDelete', () => {
      const done = this.deleteTransaction.immediate(messageId, actorId, at);
      return done ? { message: toMessage(done.row), change: done.change } : null;
    });
  }

  after(conversationId: string, afterChangeSeq: number, limit: number): Promise<ChangeRecord[]> {
    return timed(this.observe, 'changes.after', () =>
      this.statements.after
        .all(conversationId, bound(afterChangeSeq, -1, Number.MAX_SAFE_INTEGER), bound(limit, 0, 10_000))
        .map(toChange),
    );
  }

  head(conversationId: string): Promise<number> {
    return timed(this.observe, 'changes.head', () => this.statements.head.get(conversationId) ?? 0);
  }

  heads(userId: string): Promise<Map<string, number>> {
    return timed(
      this.observe,
      'changes.heads',
      () => new Map(this.statements.heads.all(userId).map((row) => [row.conversation_id, row.change_seq ?? 0])),
    );
  }

  summaries(messageIds: readonly string[], viewerId: string): Promise<Map<string, ReactionSummary[]>> {
    return timed(this.observe, 'changes.summaries', () => {
      if (messageIds.length === 0) return new Map();
      return toSummaries(this.statements.summaries.all(viewerId, JSON.stringify(messageIds)));
    });
  }

  reactors(messageId: string, limit: number): Promise<ReactionRecord[]> {
    return timed(this.observe, 'changes.reactors', () =>
      this.statements.reactors
        .all(messageId, bound(limit, 0, 10_000))
        .map((row) => ({ userId: row.user_id, emoji: row.emoji, at: row.at })),
    );
  }
}
