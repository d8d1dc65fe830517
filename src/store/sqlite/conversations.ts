/** ConversationStore on SQLite. */

import type { MemberRole } from '../../protocol/dto.js';
import type { ConversationPatch, ConversationRecord, MembershipRecord, SystemDraft } from '../records.js';
import type { ConversationListEntry, ConversationStore, MembershipChange, NewGroup, SendGrant } from '../stores.js';
import type { DraftWriter } from './append.js';
import { ConversationQueries } from './conversation-queries.js';
import { type Db, type Observe, timed } from './database.js';
import type { Flushable } from './group-commit.js';
import { MediaLoader } from './media.js';
import { MembershipChanges } from './membership-changes.js';
import { toMembership } from './rows.js';

type Marks = { sent?: number; delivered?: number; read?: number };

export class SqliteConversationStore implements ConversationStore {
  private readonly queries: ConversationQueries;
  private readonly changes: MembershipChanges;
  private readonly media: MediaLoader;
  private readonly createDirect;
  private readonly insertDirect;
  private readonly insertDirectMember;
  private readonly advance;
  private readonly writeMarks;
  private readonly lastSeq;

  constructor(
    private readonly db: Db,
    writer: DraftWriter,
    /** Queued appends and delivery writes, committed before each membership change. */
    private readonly queued: Flushable,
    private readonly observe?: Observe,
  ) {
    this.queries = new ConversationQueries(db);
    this.media = new MediaLoader(db);
    this.changes = new MembershipChanges(db, writer, this.queries);
    this.insertDirect = db.prepare(
      `INSERT OR IGNORE INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                            last_activity_at, send_policy, direct_key)
       VALUES (@id, 'direct', NULL, NULL, @createdBy, @createdAt, 0, @createdAt, 'all', @directKey)`,
    );
    this.insertDirectMember = db.prepare(
      `INSERT OR IGNORE INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                          visible_to_seq, sent_seq, delivered_seq, read_seq)
       VALUES (?, ?, 'member', ?, 1, NULL, 0, 0, 0)`,
    );
    this.lastSeq = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM conversations WHERE id = ?');
    this.writeMarks = db.prepare(
      `UPDATE memberships
          SET sent_seq = @sent, delivered_seq = @delivered, read_seq = @read,
              delivered_at = @deliveredAt, read_at = @readAt
        WHERE conversation_id = @conversationId AND user_id = @userId`,
    );
    this.createDirect = db.transaction((id: string, userA: string, userB: string, createdAt: string) => {
      const directKey = JSON.stringify([userA, userB].sort());
      const inserted = this.insertDirect.run({ id, createdBy: userA, createdAt, directKey }).changes === 1;
      if (inserted) {
        for (const userId of new Set([userA, userB])) this.insertDirectMember.run(id, userId, createdAt);
      }
      const existingId = this.queries.directId(directKey);
      if (existingId === null) throw new Error(`conversation id ${id} is taken by another conversation`);
      return { conversation: this.queries.mustLoad(existingId), created: inserted };
    }).immediate;
    this.advance = db.transaction((conversationId: string, userId: string, marks: Marks, at: string) =>
      this.doAdvance(conversationId, userId, marks, at),
    ).immediate;
  }

  getOrCreateDirect(
    id: string,
    userA: string,
    userB: string,
    createdAt: string,
  ): Promise<{ conversation: ConversationRecord; created: boolean }> {
    return timed(this.observe, 'conversations.getOrCreateDirect', () => this.createDirect(id, userA, userB, createdAt));
  }

  createGroup(group: NewGroup): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.createGroup', () => this.changes.createGroup(group));
  }

  byId(id: string): Promise<ConversationRecord | null> {
    return timed(this.observe, 'conversations.byId', () => this.queries.load(id));
  }

  membership(conversationId: string, userId: string): Promise<MembershipRecord | null> {
    return timed(this.observe, 'conversations.membership', () => {
      const row = this.queries.membership(conversationId, userId);
      return row ? toMembership(row) : null;
    });
  }

  sendGrant(conversationId: string, userId: string): Promise<SendGrant | null> {
    return timed(this.observe, 'conversations.sendGrant', () => this.queries.sendGrant(conversationId, userId));
  }

  listForUser(userId: string): Promise<ConversationListEntry[]> {
    return timed(this.observe, 'conversations.listForUser', () => {
      const entries = this.queries.listForUser(userId);
      this.media.attach(entries.flatMap((entry) => (entry.lastMessage ? [entry.lastMessage] : [])));
      return entries;
    });
  }

  update(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    return timed(this.observe, 'conversations.update', () => {
      const sets: string[] = [];
      const values: Record<string, unknown> = { id };
      if (patch.name !== undefined) {
        sets.push('name = @name');
        values.name = patch.name;
      }
      if (patch.avatarUrl !== undefined) {
        sets.push('avatar_url = @avatarUrl');
        values.avatarUrl = patch.avatarUrl;
      }
      if (patch.sendPolicy !== undefined) {
        sets.push('send_policy = @sendPolicy');
        values.sendPolicy = patch.sendPolicy;
      }
      if (sets.length > 0) {
        this.db.prepare(`UPDATE conversations SET ${sets.join(', ')} WHERE id = @id`).run(values);
      }
      return this.queries.load(id);
    });
  }

  addMember(
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.addMember', () => {
      // Writes queued before this call commit before it, keeping call order.
      this.queued.flushAll();
      return this.changes.addMember(conversationId, userId, role, maxMembers, system);
    });
  }

  removeMember(conversationId: string, userId: string, system: SystemDraft): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.removeMember', () => {
      this.queued.flushAll();
      return this.changes.removeMember(conversationId, userId, system);
    });
  }

  setRole(conversationId: string, userId: string, role: MemberRole, system: SystemDraft): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.setRole', () => {
      this.queued.flushAll();
      return this.changes.setRole(conversationId, userId, role, system);
    });
  }

  advanceWatermarks(
    conversationId: string,
    userId: string,
    marks: Marks,
    at: string,
  ): Promise<MembershipRecord | null> {
    return timed(this.observe, 'conversations.advanceWatermarks', () =>
      this.advance(conversationId, userId, marks, at),
    );
  }

  private doAdvance(conversationId: string, userId: string, marks: Marks, at: string): MembershipRecord | null {
    const row = this.queries.membership(conversationId, userId);
    const conversation = this.lastSeq.get(conversationId);
    if (!row || !conversation) return null;
    // Never beyond the last message, nor beyond a removed member's window.
    const cap = Math.min(conversation.last_seq, row.visible_to_seq ?? conversation.last_seq);
    const asked = (value: number | undefined): number =>
      value === undefined || !Number.isFinite(value) ? 0 : Math.min(Math.floor(value), cap);
    // Cumulative and implied: read implies delivered implies sent.
    const read = Math.max(row.read_seq, asked(marks.read));
    const delivered = Math.max(row.delivered_seq, asked(marks.delivered), read);
    const sent = Math.max(row.sent_seq, asked(marks.sent), delivered);
    if (read === row.read_seq && delivered === row.delivered_seq && sent === row.sent_seq) {
      return toMembership(row);
    }
    const next = {
      ...row,
      sent_seq: sent,
      delivered_seq: delivered,
      read_seq: read,
      delivered_at: delivered > row.delivered_seq ? at : row.delivered_at,
      read_at: read > row.read_seq ? at : row.read_at,
    };
    this.writeMarks.run({
      conversationId,
      userId,
      sent,
      delivered,
      read,
      deliveredAt: next.delivered_at,
      readAt: next.read_at,
    });
    return toMembership(next);
  }
}
