/** Reads shared by the conversation store and the membership changes. */

import type { ConversationRecord, MembershipRecord } from '../records.js';
import type { ConversationListEntry } from '../stores.js';
import type { Db } from './database.js';
import {
  CONVERSATION_COLUMNS,
  type ConversationRow,
  MEMBERSHIP_COLUMNS,
  MESSAGE_COLUMNS,
  type MembershipRow,
  type MessageRow,
  memberOrder,
  qualified,
  toConversation,
  toMembership,
  toMessage,
} from './rows.js';

export class ConversationQueries {
  private readonly conversation;
  private readonly currentMembers;
  private readonly membershipRow;
  private readonly byDirectKey;
  private readonly listConversations;
  private readonly listLastMessages;
  private readonly listMembers;
  private readonly listTransaction;

  constructor(db: Db) {
    this.listTransaction = db.transaction((userId: string) => this.listEntries(userId));
    this.conversation = db.prepare<[string], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`,
    );
    this.currentMembers = db.prepare<[string], MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships
        WHERE conversation_id = ? AND visible_to_seq IS NULL ORDER BY ${memberOrder()}`,
    );
    this.membershipRow = db.prepare<[string, string], MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE conversation_id = ? AND user_id = ?`,
    );
    this.byDirectKey = db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE direct_key = ?');
    // The three list queries each join the user's current memberships, so the
    // list costs three statements whatever the number of conversations.
    // The unread count rides along: the others' non-system, non-deleted
    // messages above the read watermark and the window start, counted on the
    // (conversation_id, seq) index.
    this.listConversations = db.prepare<[string], ConversationRow & { unread_count: number }>(
      `SELECT ${qualified(CONVERSATION_COLUMNS, 'c')},
              (SELECT count(*) FROM messages m
                WHERE m.conversation_id = c.id
                  AND m.seq > max(mb.read_seq, mb.visible_from_seq - 1)
                  AND m.sender_id <> mb.user_id
                  AND m.type <> 'system'
                  AND m.deleted_at IS NULL) AS unread_count
         FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
        WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL
        ORDER BY c.last_activity_at DESC, c.last_seq DESC, c.id`,
    );
    this.listLastMessages = db.prepare<[string], MessageRow>(
      `SELECT ${qualified(MESSAGE_COLUMNS, 'm')}
         FROM memberships mb
         JOIN conversations c ON c.id = mb.conversation_id
         JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
        WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL`,
    );
    this.listMembers = db.prepare<[string], MembershipRow>(
      `SELECT ${qualified(MEMBERSHIP_COLUMNS, 'o')}
         FROM memberships mb
         JOIN memberships o ON o.conversation_id = mb.conversation_id AND o.visible_to_seq IS NULL
        WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL
        ORDER BY o.conversation_id, ${memberOrder('o')}`,
    );
  }

  row(id: string): ConversationRow | null {
    return this.conversation.get(id) ?? null;
  }

  load(id: string): ConversationRecord | null {
    const row = this.conversation.get(id);
    return row ? toConversation(row, this.currentMembers.all(id).map(toMembership)) : null;
  }

  mustLoad(id: string): ConversationRecord {
    const conversation = this.load(id);
    if (!conversation) throw new Error(`conversation ${id} vanished inside its transaction`);
    return conversation;
  }

  membership(conversationId: string, userId: string): MembershipRow | null {
    return this.membershipRow.get(conversationId, userId) ?? null;
  }

  directId(directKey: string): string | null {
    return this.byDirectKey.get(directKey)?.id ?? null;
  }

  listForUser(userId: string): ConversationListEntry[] {
    // One read transaction: the three statements see the same snapshot.
    return this.listTransaction.deferred(userId);
  }

  private listEntries(userId: string): ConversationListEntry[] {
    const rows = this.listConversations.all(userId);
    const lastMessages = new Map(this.listLastMessages.all(userId).map((row) => [row.conversation_id, toMessage(row)]));
    const members = new Map<string, MembershipRecord[]>();
    for (const row of this.listMembers.all(userId)) {
      let list = members.get(row.conversation_id);
      if (!list) {
        list = [];
        members.set(row.conversation_id, list);
      }
      list.push(toMembership(row));
    }
    return rows.map((row) => ({
      conversation: toConversation(row, members.get(row.id) ?? []),
      lastMessage: row.last_seq > 0 ? (lastMessages.get(row.id) ?? null) : null,
      unreadCount: row.unread_count,
    }));
  }
}
