/** Reads shared by the conversation store and the membership changes. */

import type { ConversationRecord, MembershipRecord } from '../records.js';
import type { ConversationListEntry, SendGrant } from '../stores.js';
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

interface SendGrantRow {
  type: SendGrant['type'];
  send_policy: SendGrant['sendPolicy'];
  role: SendGrant['role'];
  visible_from_seq: number;
  blocked: 0 | 1;
}

export class ConversationQueries {
  private readonly conversation;
  private readonly currentMembers;
  private readonly membershipRow;
  private readonly sendGrantRow;
  private readonly byDirectKey;
  private readonly listConversations;
  private readonly listLastMessages;
  private readonly listMembers;
  private readonly listTransaction;
  private readonly channelAdmins;
  private readonly listChannelAdmins;
  private readonly channelRow;

  constructor(db: Db) {
    this.listTransaction = db.transaction((userId: string) => this.listEntries(userId));
    this.conversation = db.prepare<[string], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`,
    );
    this.currentMembers = db.prepare<[string], MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships
        WHERE conversation_id = ? AND visible_to_seq IS NULL ORDER BY ${memberOrder()}`,
    );
    // A channel lists its admins only: it may have 100,000 readers.
    this.channelAdmins = db.prepare<[string], MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships INDEXED BY memberships_admins
        WHERE conversation_id = ? AND role = 'admin' AND visible_to_seq IS NULL ORDER BY ${memberOrder()}`,
    );
    this.channelRow = db.prepare<[string], { is_public: 0 | 1; member_count: number }>(
      'SELECT is_public, member_count FROM channels WHERE conversation_id = ?',
    );
    this.listChannelAdmins = db.prepare<[string], MembershipRow>(
      `SELECT ${qualified(MEMBERSHIP_COLUMNS, 'o')}
         FROM memberships mb
         JOIN conversations c ON c.id = mb.conversation_id AND c.type = 'channel'
         JOIN memberships o INDEXED BY memberships_admins
           ON o.conversation_id = mb.conversation_id AND o.role = 'admin' AND o.visible_to_seq IS NULL
        WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL
        ORDER BY o.conversation_id, ${memberOrder('o')}`,
    );
    this.membershipRow = db.prepare<[string, string], MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM memberships WHERE conversation_id = ? AND user_id = ?`,
    );
    // The blocks of a direct conversation's other member ride along, so a send needs one read.
    this.sendGrantRow = db.prepare<[string, string], SendGrantRow>(
      `SELECT mb.role, mb.visible_from_seq, c.type, c.send_policy,
              EXISTS (SELECT 1 FROM memberships o JOIN blocks b ON b.blocker_id = o.user_id
                       WHERE c.type = 'direct' AND o.conversation_id = c.id
                         AND o.user_id <> mb.user_id AND b.blocked_id = mb.user_id) AS blocked
         FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
        WHERE mb.conversation_id = ? AND mb.user_id = ? AND mb.visible_to_seq IS NULL`,
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
         JOIN conversations c ON c.id = mb.conversation_id AND c.type <> 'channel'
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
    if (!row) return null;
    if (row.type !== 'channel') return toConversation(row, this.currentMembers.all(id).map(toMembership));
    return this.withChannel(toConversation(row, this.channelAdmins.all(id).map(toMembership)));
  }

  /** A channel's settings and size ride along with it. */
  private withChannel(conversation: ConversationRecord): ConversationRecord {
    const channel = this.channelRow.get(conversation.id);
    if (channel) conversation.channel = { public: channel.is_public === 1, memberCount: channel.member_count };
    return conversation;
  }

  mustLoad(id: string): ConversationRecord {
    const conversation = this.load(id);
    if (!conversation) throw new Error(`conversation ${id} vanished inside its transaction`);
    return conversation;
  }

  membership(conversationId: string, userId: string): MembershipRow | null {
    return this.membershipRow.get(conversationId, userId) ?? null;
  }

  sendGrant(conversationId: string, userId: string): SendGrant | null {
    const row = this.sendGrantRow.get(conversationId, userId);
    if (!row) return null;
    return {
      type: row.type,
      sendPolicy: row.send_policy,
      role: row.role,
      visibleFromSeq: row.visible_from_seq,
      blockedByPeer: row.blocked === 1,
    };
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
    for (const row of [...this.listMembers.all(userId), ...this.listChannelAdmins.all(userId)]) {
      let list = members.get(row.conversation_id);
      if (!list) {
        list = [];
        members.set(row.conversation_id, list);
      }
      list.push(toMembership(row));
    }
    return rows.map((row) => ({
      conversation:
        row.type === 'channel'
          ? this.withChannel(toConversation(row, members.get(row.id) ?? []))
          : toConversation(row, members.get(row.id) ?? []),
      lastMessage: row.last_seq > 0 ? (lastMessages.get(row.id) ?? null) : null,
      unreadCount: row.unread_count,
    }));
  }
}
