/**
 * Group creation and membership changes. Each writes the change AND posts its
 * system message in one transaction, through the same insert path as the
 * group-committed appends (chat_append_one).
 *
 * Each change first locks the conversation row (the seq counter) and then all
 * of its membership rows, sorted: the lock order of the append and delivery
 * batches, so they cannot deadlock with it, and concurrent changes of one
 * group on several nodes run one after the other (the member limit holds).
 */
import type pg from 'pg';
import type { MemberRole } from '../../protocol/dto.js';
import { StoreError } from '../errors.js';
import type { MessageDraft, MessageRecord, SystemDraft } from '../records.js';
import type { MembershipChange, NewGroup } from '../stores.js';
import { postSystemMessage } from './append.js';
import { mustLoadConversation } from './conversation-queries.js';
import { type Queryable, transaction } from './pool.js';
import { memberOrder } from './rows.js';

/** The full draft of a membership change's system message. */
export function systemMessageDraft(conversationId: string, system: SystemDraft): MessageDraft {
  return {
    id: system.id,
    conversationId,
    senderId: system.senderId,
    clientMsgId: `system:${system.id}`,
    type: 'system',
    content: system.content,
    mediaId: null,
    replyToId: null,
    createdAt: system.createdAt,
    system: system.system,
  };
}

interface LockedMember {
  user_id: string;
  role: MemberRole;
  visible_to_seq: number | null;
}

/** Locks the conversation and its memberships (current and past); throws conversation_not_found. */
async function lockConversation(client: Queryable, conversationId: string): Promise<LockedMember[]> {
  const { rowCount } = await client.query('SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE', [
    conversationId,
  ]);
  if (!rowCount) throw new StoreError('conversation_not_found');
  const { rows } = await client.query<LockedMember>(
    `SELECT user_id, role, visible_to_seq FROM memberships
      WHERE conversation_id = $1 ORDER BY conversation_id, user_id FOR NO KEY UPDATE`,
    [conversationId],
  );
  return rows;
}

function currentMember(members: LockedMember[], userId: string): LockedMember {
  const member = members.find((m) => m.user_id === userId);
  if (!member || member.visible_to_seq !== null) throw new StoreError('not_member');
  return member;
}

function post(client: Queryable, conversationId: string, system: SystemDraft): Promise<MessageRecord> {
  return postSystemMessage(client, systemMessageDraft(conversationId, system));
}

export class MembershipChanges {
  constructor(private readonly pool: pg.Pool) {}

  createGroup(group: NewGroup): Promise<MembershipChange> {
    return transaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                    last_activity_at, send_policy, direct_key)
         VALUES ($1, 'group', $2, $3, $4, $5, 0, $5, 'all', NULL)`,
        [group.id, group.name, group.avatarUrl, group.createdBy, group.createdAt],
      );
      const others = new Set(group.memberIds);
      others.delete(group.createdBy);
      const userIds = [group.createdBy, ...others];
      const roles = userIds.map((_, i) => (i === 0 ? 'admin' : 'member'));
      // In this order: the creator first, then the others as given.
      await client.query(
        `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                  visible_to_seq, sent_seq, delivered_seq, read_seq)
         SELECT $1, u.user_id, u.role, $2, 1, NULL, 0, 0, 0
           FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(user_id, role, n)
          ORDER BY u.n`,
        [group.id, group.createdAt, userIds, roles],
      );
      const message = await post(client, group.id, group.system);
      return { conversation: await mustLoadConversation(client, group.id), message };
    });
  }

  addMember(
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ): Promise<MembershipChange> {
    return transaction(this.pool, async (client) => {
      const members = await lockConversation(client, conversationId);
      const existing = members.find((m) => m.user_id === userId);
      if (existing && existing.visible_to_seq === null) throw new StoreError('already_member');
      if (members.filter((m) => m.visible_to_seq === null).length >= maxMembers) throw new StoreError('member_limit');
      const message = await post(client, conversationId, system);
      // A new member, or a removed one coming back: the row (re)opens at the
      // system message, its watermarks just below it.
      await client.query(
        `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                  visible_to_seq, sent_seq, delivered_seq, read_seq)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $6, $6)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET
           role = excluded.role, joined_at = excluded.joined_at,
           visible_from_seq = excluded.visible_from_seq, visible_to_seq = NULL,
           sent_seq = excluded.sent_seq, delivered_seq = excluded.delivered_seq,
           read_seq = excluded.read_seq, delivered_at = NULL, read_at = NULL`,
        [conversationId, userId, role, system.createdAt, message.seq, message.seq - 1],
      );
      return { conversation: await mustLoadConversation(client, conversationId), message };
    });
  }

  removeMember(conversationId: string, userId: string, system: SystemDraft): Promise<MembershipChange> {
    return transaction(this.pool, async (client) => {
      const members = await lockConversation(client, conversationId);
      const member = currentMember(members, userId);
      // Posted first, while the member is current: the window closes at this
      // message, so the removed member sees its own removal.
      const message = await post(client, conversationId, system);
      await client.query('UPDATE memberships SET visible_to_seq = $1 WHERE conversation_id = $2 AND user_id = $3', [
        message.seq,
        conversationId,
        userId,
      ]);
      const adminsLeft = members.some((m) => m.user_id !== userId && m.visible_to_seq === null && m.role === 'admin');
      if (member.role === 'admin' && !adminsLeft) {
        await client.query(
          `UPDATE memberships SET role = 'admin'
            WHERE conversation_id = $1 AND user_id = (
              SELECT user_id FROM memberships
               WHERE conversation_id = $1 AND visible_to_seq IS NULL
               ORDER BY ${memberOrder()} LIMIT 1)`,
          [conversationId],
        );
      }
      return { conversation: await mustLoadConversation(client, conversationId), message };
    });
  }

  setRole(conversationId: string, userId: string, role: MemberRole, system: SystemDraft): Promise<MembershipChange> {
    return transaction(this.pool, async (client) => {
      const members = await lockConversation(client, conversationId);
      currentMember(members, userId);
      const message = await post(client, conversationId, system);
      await client.query('UPDATE memberships SET role = $1 WHERE conversation_id = $2 AND user_id = $3', [
        role,
        conversationId,
        userId,
      ]);
      return { conversation: await mustLoadConversation(client, conversationId), message };
    });
  }
}
