/** Reads shared by the conversation store and the membership changes. */
import type { ConversationRecord } from '../records.js';
import type { ConversationListEntry } from '../stores.js';
import type { Queryable } from './pool.js';
import {
  CONVERSATION_SELECT,
  type ConversationRow,
  MEMBERSHIP_COLUMNS,
  MESSAGE_COLUMNS,
  type MembershipRow,
  prefixedMessage,
  qualified,
  toConversation,
} from './rows.js';

const LAST_MESSAGE_PREFIX = 'm_';

/**
 * The user's current conversations with their members, newest message and
 * unread count, in ONE statement whatever their number (one snapshot, one
 * round trip). The newest message is found through message_keys, which names
 * its partition. The unread count scans the messages above the read watermark
 * (and the window start) on messages_conversation_seq, keeping the others'
 * non-system, non-deleted ones.
 */
const LIST_FOR_USER = `
  SELECT ${CONVERSATION_SELECT}, ${qualified(MESSAGE_COLUMNS, 'lm', LAST_MESSAGE_PREFIX)},
         (SELECT count(*) FROM messages m
           WHERE m.conversation_id = c.id
             AND m.seq > greatest(mb.read_seq, mb.visible_from_seq - 1)
             AND m.sender_id <> mb.user_id
             AND m.type <> 'system'
             AND m.deleted_at IS NULL) AS unread_count
    FROM memberships mb
    JOIN conversations c ON c.id = mb.conversation_id
    LEFT JOIN LATERAL (
      SELECT m.* FROM message_keys k JOIN messages m ON m.pos = k.pos AND m.created_at = k.created_at
       WHERE k.conversation_id = c.id AND k.seq = c.last_seq
    ) lm ON c.last_seq > 0
   WHERE mb.user_id = $1 AND mb.visible_to_seq IS NULL
   ORDER BY c.last_activity_at DESC, c.last_seq DESC, c.id`;

export async function loadConversation(db: Queryable, id: string): Promise<ConversationRecord | null> {
  const { rows } = await db.query<ConversationRow>(
    `SELECT ${CONVERSATION_SELECT} FROM conversations c WHERE c.id = $1`,
    [id],
  );
  return rows[0] ? toConversation(rows[0]) : null;
}

export async function mustLoadConversation(db: Queryable, id: string): Promise<ConversationRecord> {
  const conversation = await loadConversation(db, id);
  if (!conversation) throw new Error(`conversation ${id} vanished inside its transaction`);
  return conversation;
}

export async function membershipRow(
  db: Queryable,
  conversationId: string,
  userId: string,
  lock = false,
): Promise<MembershipRow | null> {
  const { rows } = await db.query<MembershipRow>(
    `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE conversation_id = $1 AND user_id = $2
     ${lock ? 'FOR NO KEY UPDATE' : ''}`,
    [conversationId, userId],
  );
  return rows[0] ?? null;
}

export async function listForUser(db: Queryable, userId: string): Promise<ConversationListEntry[]> {
  const { rows } = await db.query<ConversationRow & { unread_count: number } & Record<string, unknown>>(LIST_FOR_USER, [
    userId,
  ]);
  return rows.map((row) => ({
    conversation: toConversation(row),
    lastMessage: row.last_seq > 0 ? prefixedMessage(row, LAST_MESSAGE_PREFIX) : null,
    unreadCount: Number(row.unread_count),
  }));
}
