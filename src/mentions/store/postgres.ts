/** MentionStore on PostgreSQL; reads only: chat_append_one fills the index. */
import type pg from 'pg';
import { type Observe, timed } from '../../store/postgres/pool.js';
import type { MentionedMember, MentionStore } from './store.js';

const MEMBERS_NAMED = `
  SELECT u.id AS "userId", u.username AS "username"
    FROM users u
    JOIN memberships mb ON mb.user_id = u.id AND mb.conversation_id = $1 AND mb.visible_to_seq IS NULL
   WHERE u.username = ANY($2::text[])`;

/**
 * Per membership a range of the index's key above the read watermark; the
 * mention row's created_at names the message's partition for the deleted
 * check. Zero counts are dropped by the caller: filtering on the subquery in
 * SQL made PostgreSQL evaluate it twice.
 */
const UNREAD_COUNTS = `
  SELECT mb.conversation_id,
         (SELECT count(*) FROM message_mentions mm
            JOIN messages m ON m.conversation_id = mm.conversation_id AND m.seq = mm.seq
                           AND m.created_at = mm.created_at
           WHERE mm.user_id = mb.user_id AND mm.conversation_id = mb.conversation_id
             AND mm.seq > greatest(mb.read_seq, mb.visible_from_seq - 1)
             AND m.deleted_at IS NULL) AS count
    FROM memberships mb
   WHERE mb.user_id = $1 AND mb.visible_to_seq IS NULL`;

export class PostgresMentionStore implements MentionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  membersNamed(conversationId: string, usernames: readonly string[]): Promise<MentionedMember[]> {
    return timed(this.observe, 'mentions.membersNamed', async () => {
      if (usernames.length === 0) return [];
      const { rows } = await this.pool.query<MentionedMember>(MEMBERS_NAMED, [conversationId, usernames]);
      return rows;
    });
  }

  unreadCounts(userId: string): Promise<Map<string, number>> {
    return timed(this.observe, 'mentions.unreadCounts', async () => {
      const { rows } = await this.pool.query<{ conversation_id: string; count: string | number }>(UNREAD_COUNTS, [
        userId,
      ]);
      const counts = new Map<string, number>();
      for (const row of rows) if (Number(row.count) > 0) counts.set(row.conversation_id, Number(row.count));
      return counts;
    });
  }
}
