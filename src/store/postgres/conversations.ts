/** ConversationStore on PostgreSQL. */
import type pg from 'pg';
import type { MemberRole } from '../../protocol/dto.js';
import type { ConversationPatch, ConversationRecord, MembershipRecord, SystemDraft } from '../records.js';
import type { ConversationListEntry, ConversationStore, MembershipChange, NewGroup, SendGrant } from '../stores.js';
import type { Flushable } from './batch.js';
import { listForUser, loadConversation, membershipRow, mustLoadConversation } from './conversation-queries.js';
import { sendGrantReader } from './grant-batch.js';
import { attachMedia } from './media.js';
import { MembershipChanges } from './membership-changes.js';
import { type Observe, timed, transaction } from './pool.js';
import { type MembershipRow, toMembership } from './rows.js';

type Marks = { sent?: number; delivered?: number; read?: number };

export class PostgresConversationStore implements ConversationStore {
  private readonly changes: MembershipChanges;
  private readonly grants: ReturnType<typeof sendGrantReader>;

  constructor(
    private readonly pool: pg.Pool,
    /** Queued appends and delivery writes, committed before each membership change. */
    private readonly queued: Flushable,
    private readonly observe?: Observe,
  ) {
    this.changes = new MembershipChanges(pool);
    this.grants = sendGrantReader(pool);
  }

  getOrCreateDirect(
    id: string,
    userA: string,
    userB: string,
    createdAt: string,
  ): Promise<{ conversation: ConversationRecord; created: boolean }> {
    return timed(this.observe, 'conversations.getOrCreateDirect', () =>
      transaction(this.pool, async (client) => {
        const directKey = JSON.stringify([userA, userB].sort());
        // Under concurrent calls (on any node) the unique direct_key makes the
        // others wait for the first insert's commit, then do nothing.
        const inserted = await client.query(
          `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                      last_activity_at, send_policy, direct_key)
           VALUES ($1, 'direct', NULL, NULL, $2, $3, 0, $3, 'all', $4)
           ON CONFLICT DO NOTHING`,
          [id, userA, createdAt, directKey],
        );
        const created = inserted.rowCount === 1;
        if (created) {
          await client.query(
            `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq,
                                      visible_to_seq, sent_seq, delivered_seq, read_seq)
             SELECT $1, u.user_id, 'member', $2, 1, NULL, 0, 0, 0
               FROM unnest($3::text[]) WITH ORDINALITY AS u(user_id, n) ORDER BY u.n
             ON CONFLICT DO NOTHING`,
            [id, createdAt, [...new Set([userA, userB])]],
          );
        }
        const { rows } = await client.query<{ id: string }>('SELECT id FROM conversations WHERE direct_key = $1', [
          directKey,
        ]);
        const existingId = rows[0]?.id;
        if (existingId === undefined) throw new Error(`conversation id ${id} is taken by another conversation`);
        return { conversation: await mustLoadConversation(client, existingId), created };
      }),
    );
  }

  createGroup(group: NewGroup): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.createGroup', () => this.changes.createGroup(group));
  }

  byId(id: string): Promise<ConversationRecord | null> {
    return timed(this.observe, 'conversations.byId', () => loadConversation(this.pool, id));
  }

  membership(conversationId: string, userId: string): Promise<MembershipRecord | null> {
    return timed(this.observe, 'conversations.membership', async () => {
      const row = await membershipRow(this.pool, conversationId, userId);
      return row ? toMembership(row) : null;
    });
  }

  sendGrant(conversationId: string, userId: string): Promise<SendGrant | null> {
    // Read with the other sends' grants of this turn: one statement, not one round trip per send.
    return timed(this.observe, 'conversations.sendGrant', () => this.grants.read({ conversationId, userId }));
  }

  listForUser(userId: string): Promise<ConversationListEntry[]> {
    return timed(this.observe, 'conversations.listForUser', async () => {
      const entries = await listForUser(this.pool, userId);
      await attachMedia(
        this.pool,
        entries.flatMap((entry) => (entry.lastMessage ? [entry.lastMessage] : [])),
      );
      return entries;
    });
  }

  update(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    return timed(this.observe, 'conversations.update', async () => {
      const sets: string[] = [];
      const values: unknown[] = [id];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (patch.name !== undefined) set('name', patch.name);
      if (patch.avatarUrl !== undefined) set('avatar_url', patch.avatarUrl);
      if (patch.sendPolicy !== undefined) set('send_policy', patch.sendPolicy);
      if (sets.length > 0) await this.pool.query(`UPDATE conversations SET ${sets.join(', ')} WHERE id = $1`, values);
      return loadConversation(this.pool, id);
    });
  }

  addMember(
    conversationId: string,
    userId: string,
    role: MemberRole,
    maxMembers: number,
    system: SystemDraft,
  ): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.addMember', async () => {
      // Writes queued before this call commit before it, keeping call order.
      await this.queued.flushAll();
      return this.changes.addMember(conversationId, userId, role, maxMembers, system);
    });
  }

  removeMember(conversationId: string, userId: string, system: SystemDraft): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.removeMember', async () => {
      await this.queued.flushAll();
      return this.changes.removeMember(conversationId, userId, system);
    });
  }

  setRole(conversationId: string, userId: string, role: MemberRole, system: SystemDraft): Promise<MembershipChange> {
    return timed(this.observe, 'conversations.setRole', async () => {
      await this.queued.flushAll();
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
      transaction(this.pool, async (client) => {
        const row = await membershipRow(client, conversationId, userId, true);
        if (!row) return null;
        const { rows } = await client.query<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = $1', [
          conversationId,
        ]);
        const lastSeq = rows[0]?.last_seq;
        if (lastSeq === undefined) return null;
        const next = advanced(row, lastSeq, marks, at);
        if (!next) return toMembership(row);
        await client.query(
          `UPDATE memberships
              SET sent_seq = $3, delivered_seq = $4, read_seq = $5, delivered_at = $6, read_at = $7
            WHERE conversation_id = $1 AND user_id = $2`,
          [conversationId, userId, next.sent_seq, next.delivered_seq, next.read_seq, next.delivered_at, next.read_at],
        );
        return toMembership(next);
      }),
    );
  }
}

/** The row with the marks applied, or null when nothing moves. */
function advanced(row: MembershipRow, lastSeq: number, marks: Marks, at: string): MembershipRow | null {
  // Never beyond the last message, nor beyond a removed member's window.
  const cap = Math.min(lastSeq, row.visible_to_seq ?? lastSeq);
  const asked = (value: number | undefined): number =>
    value === undefined || !Number.isFinite(value) ? 0 : Math.min(Math.floor(value), cap);
  // Cumulative and implied: read implies delivered implies sent.
  const read = Math.max(row.read_seq, asked(marks.read));
  const delivered = Math.max(row.delivered_seq, asked(marks.delivered), read);
  const sent = Math.max(row.sent_seq, asked(marks.sent), delivered);
  if (read === row.read_seq && delivered === row.delivered_seq && sent === row.sent_seq) return null;
  return {
    ...row,
    sent_seq: sent,
    delivered_seq: delivered,
    read_seq: read,
    delivered_at: delivered > row.delivered_seq ? at : row.delivered_at,
    read_at: read > row.read_seq ? at : row.read_at,
  };
}
