/**
 * Group membership changes. Each writes the change AND posts its system
 * message in one synchronous transaction, through the same DraftWriter as the
 * group-committed appends.
 */

import type { MemberRole } from '../../protocol/dto.js';
import { StoreError } from '../errors.js';
import type { MessageDraft, MessageRecord, SystemDraft } from '../records.js';
import type { MembershipChange, NewGroup } from '../stores.js';
import type { DraftWriter } from './append.js';
import type { ConversationQueries } from './conversation-queries.js';
import type { Db } from './database.js';
import { type ConversationRow, type MembershipRow, memberOrder } from './rows.js';

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

export class MembershipChanges {
  readonly createGroup: (group: NewGroup) => MembershipChange;
  readonly addMember: (
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ) => MembershipChange;
  readonly removeMember: (conversationId: string, userId: string, system: SystemDraft) => MembershipChange;
  readonly setRole: (conversationId: string, userId: string, role: MemberRole, system: SystemDraft) => MembershipChange;

  private readonly insertGroup;
  private readonly insertMember;
  private readonly reopenMember;
  private readonly countCurrent;
  private readonly closeWindow;
  private readonly updateRole;
  private readonly countAdmins;
  private readonly promoteOldest;

  constructor(
    db: Db,
    private readonly writer: DraftWriter,
    private readonly queries: ConversationQueries,
  ) {
    this.insertGroup = db.prepare(
      `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                  last_activity_at, send_policy, direct_key)
       VALUES (@id, 'group', @name, @avatarUrl, @createdBy, @createdAt, 0, @createdAt, 'all', NULL)`,
    );
    this.insertMember = db.prepare(
      `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                visible_to_seq, sent_seq, delivered_seq, read_seq)
       VALUES (@conversationId, @userId, @role, @joinedAt, @fromSeq, NULL, @mark, @mark, @mark)`,
    );
    // A new member, or a removed one coming back: the row (re)opens at fromSeq.
    this.reopenMember = db.prepare(
      `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                visible_to_seq, sent_seq, delivered_seq, read_seq)
       VALUES (@conversationId, @userId, @role, @joinedAt, @fromSeq, NULL, @mark, @mark, @mark)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET
         role = excluded.role, joined_at = excluded.joined_at,
         visible_from_seq = excluded.visible_from_seq, visible_to_seq = NULL,
         sent_seq = excluded.sent_seq, delivered_seq = excluded.delivered_seq,
         read_seq = excluded.read_seq, delivered_at = NULL, read_at = NULL`,
    );
    this.countCurrent = db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM memberships WHERE conversation_id = ? AND visible_to_seq IS NULL',
    );
    this.closeWindow = db.prepare(
      'UPDATE memberships SET visible_to_seq = ? WHERE conversation_id = ? AND user_id = ?',
    );
    this.updateRole = db.prepare('UPDATE memberships SET role = ? WHERE conversation_id = ? AND user_id = ?');
    this.countAdmins = db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM memberships
        WHERE conversation_id = ? AND visible_to_seq IS NULL AND role = 'admin'`,
    );
    this.promoteOldest = db.prepare(
      `UPDATE memberships SET role = 'admin'
        WHERE conversation_id = @conversationId AND user_id = (
          SELECT user_id FROM memberships
           WHERE conversation_id = @conversationId AND visible_to_seq IS NULL
           ORDER BY ${memberOrder()} LIMIT 1)`,
    );

    this.createGroup = db.transaction((group: NewGroup) => this.doCreateGroup(group)).immediate;
    this.addMember = db.transaction(
      (conversationId: string, userId: string, role: MemberRole, maxMembers: number, system: SystemDraft) =>
        this.doAddMember(conversationId, userId, role, maxMembers, system),
    ).immediate;
    this.removeMember = db.transaction((conversationId: string, userId: string, system: SystemDraft) =>
      this.doRemoveMember(conversationId, userId, system),
    ).immediate;
    this.setRole = db.transaction((conversationId: string, userId: string, role: MemberRole, system: SystemDraft) =>
      this.doSetRole(conversationId, userId, role, system),
    ).immediate;
  }

  private doCreateGroup(group: NewGroup): MembershipChange {
    this.insertGroup.run({
      id: group.id,
      name: group.name,
      avatarUrl: group.avatarUrl,
      createdBy: group.createdBy,
      createdAt: group.createdAt,
    });
    const others = new Set(group.memberIds);
    others.delete(group.createdBy);
    const base = { conversationId: group.id, joinedAt: group.createdAt, fromSeq: 1, mark: 0 };
    this.insertMember.run({ ...base, userId: group.createdBy, role: 'admin' });
    for (const userId of others) this.insertMember.run({ ...base, userId, role: 'member' });
    const message = this.post(group.id, group.system);
    return { conversation: this.queries.mustLoad(group.id), message };
  }

  private doAddMember(
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ): MembershipChange {
    this.conversation(conversationId);
    const existing = this.queries.membership(conversationId, userId);
    if (existing && existing.visible_to_seq === null) throw new StoreError('already_member');
    if ((this.countCurrent.get(conversationId)?.n ?? 0) >= maxMembers) throw new StoreError('member_limit');
    const message = this.post(conversationId, system);
    this.reopenMember.run({
      conversationId,
      userId,
      role,
      joinedAt: system.createdAt,
      fromSeq: message.seq,
      mark: message.seq - 1,
    });
    return { conversation: this.queries.mustLoad(conversationId), message };
  }

  private doRemoveMember(conversationId: string, userId: string, system: SystemDraft): MembershipChange {
    this.conversation(conversationId);
    const member = this.currentMember(conversationId, userId);
    // Posted first, while the member is current: the window closes at this
    // message, so the removed member sees its own removal.
    const message = this.post(conversationId, system);
    this.closeWindow.run(message.seq, conversationId, userId);
    if (member.role === 'admin' && (this.countAdmins.get(conversationId)?.n ?? 0) === 0) {
      this.promoteOldest.run({ conversationId });
    }
    return { conversation: this.queries.mustLoad(conversationId), message };
  }

  private doSetRole(conversationId: string, userId: string, role: MemberRole, system: SystemDraft): MembershipChange {
    this.conversation(conversationId);
    this.currentMember(conversationId, userId);
    const message = this.post(conversationId, system);
    this.updateRole.run(role, conversationId, userId);
    return { conversation: this.queries.mustLoad(conversationId), message };
  }

  private post(conversationId: string, system: SystemDraft): MessageRecord {
    return this.writer.postSystem(systemMessageDraft(conversationId, system));
  }

  private conversation(id: string): ConversationRow {
    const row = this.queries.row(id);
    if (!row) throw new StoreError('conversation_not_found');
    return row;
  }

  private currentMember(conversationId: string, userId: string): MembershipRow {
    const member = this.queries.membership(conversationId, userId);
    if (!member || member.visible_to_seq !== null) throw new StoreError('not_member');
    return member;
  }
}
