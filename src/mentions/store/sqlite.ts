/** MentionStore on SQLite (embedded, one node); reads only: the append's trigger fills the index. */
import { type Db, type Observe, timed } from '../../store/sqlite/database.js';
import type { MentionedMember, MentionStore } from './store.js';

export class SqliteMentionStore implements MentionStore {
  private readonly statements;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      membersNamed: db.prepare<[string, string], MentionedMember>(
        `SELECT u.id AS userId, u.username AS username
           FROM users u
           JOIN memberships mb ON mb.user_id = u.id AND mb.conversation_id = ? AND mb.visible_to_seq IS NULL
          WHERE u.username IN (SELECT value FROM json_each(?))`,
      ),
      // Per membership a range of the index's key above the read watermark; the
      // join on the (conversation_id, seq) key leaves out deleted messages.
      unreadCounts: db.prepare<[string], { conversation_id: string; count: number }>(
        `SELECT mb.conversation_id,
                (SELECT count(*) FROM message_mentions mm
                   JOIN messages m ON m.conversation_id = mm.conversation_id AND m.seq = mm.seq
                  WHERE mm.user_id = mb.user_id AND mm.conversation_id = mb.conversation_id
                    AND mm.seq > max(mb.read_seq, mb.visible_from_seq - 1)
                    AND m.deleted_at IS NULL) AS count
           FROM memberships mb
          WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL`,
      ),
    };
  }

  membersNamed(conversationId: string, usernames: readonly string[]): Promise<MentionedMember[]> {
    return timed(this.observe, 'mentions.membersNamed', () =>
      usernames.length === 0 ? [] : this.statements.membersNamed.all(conversationId, JSON.stringify(usernames)),
    );
  }

  unreadCounts(userId: string): Promise<Map<string, number>> {
    return timed(this.observe, 'mentions.unreadCounts', () => {
      const counts = new Map<string, number>();
      for (const row of this.statements.unreadCounts.all(userId)) {
        if (row.count > 0) counts.set(row.conversation_id, row.count);
      }
      return counts;
    });
  }
}
