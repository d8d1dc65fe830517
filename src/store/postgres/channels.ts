/**
 * ChannelStore on PostgreSQL. Membership changes lock the conversation row
 * (the seq counter, as appends and group changes do) and then the channels
 * row, so concurrent joins on several nodes keep the member count and limit
 * exact; a read locks the member's row only.
 */
import type pg from 'pg';
import type { MemberRole } from '../../protocol/dto.js';
import type { ChannelInfo, ChannelStore, ChannelSubscription, NewChannel, ReadMove } from '../channel-store.js';
import { StoreError } from '../errors.js';
import type { ConversationRecord } from '../records.js';
import type { MembershipChange } from '../stores.js';
import { postSystemMessage } from './append.js';
import type { Flushable } from './batch.js';
import { loadConversation, mustLoadConversation } from './conversation-queries.js';
import { systemMessageDraft } from './membership-changes.js';
import { type Observe, type Queryable, timed, transaction } from './pool.js';

interface ChannelRow {
  is_public: boolean;
  member_count: string;
  last_seq: string;
}

async function lockChannel(client: Queryable, conversationId: string): Promise<ChannelRow> {
  const { rows } = await client.query<ChannelRow>(
    `SELECT ch.is_public, ch.member_count, c.last_seq
       FROM conversations c JOIN channels ch ON ch.conversation_id = c.id
      WHERE c.id = $1 FOR NO KEY UPDATE`,
    [conversationId],
  );
  if (!rows[0]) throw new StoreError('conversation_not_found');
  return rows[0];
}

async function currentMember(client: Queryable, conversationId: string, userId: string) {
  const { rows } = await client.query<{ role: MemberRole; read_seq: string; visible_to_seq: string | null }>(
    `SELECT role, read_seq, visible_to_seq FROM memberships
      WHERE conversation_id = $1 AND user_id = $2 FOR NO KEY UPDATE`,
    [conversationId, userId],
  );
  const member = rows[0];
  return member && member.visible_to_seq === null ? member : null;
}

async function adminCount(client: Queryable, conversationId: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM memberships
      WHERE conversation_id = $1 AND role = 'admin' AND visible_to_seq IS NULL`,
    [conversationId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Inside a transaction holding the channel's lock: adds who is not a current member; all or none. */
async function addMembers(
  client: Queryable,
  conversationId: string,
  userIds: readonly string[],
  at: string,
  maxMembers: number,
  memberCount: number,
): Promise<string[]> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  // New members and past members coming back; the window starts at seq 1 (the whole history).
  const { rows } = await client.query<{ user_id: string }>(
    `INSERT INTO memberships AS mb (conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq)
     SELECT $1, u.id, 'member', $2, 1, NULL
       FROM unnest($3::text[]) WITH ORDINALITY AS x(id, n) JOIN users u ON u.id = x.id
      ORDER BY x.n
     ON CONFLICT (conversation_id, user_id) DO UPDATE
        SET role = 'member', joined_at = excluded.joined_at, visible_from_seq = 1, visible_to_seq = NULL
      WHERE mb.visible_to_seq IS NOT NULL
     RETURNING mb.user_id`,
    [conversationId, at, ids],
  );
  if (memberCount + rows.length > maxMembers) throw new StoreError('member_limit');
  if (rows.length > 0) {
    await client.query('UPDATE channels SET member_count = member_count + $2 WHERE conversation_id = $1', [
      conversationId,
      rows.length,
    ]);
  }
  return rows.map((row) => row.user_id);
}

export class PostgresChannelStore implements ChannelStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Queued appends and delivery writes, committed before each membership change. */
    private readonly queued: Flushable,
    private readonly observe?: Observe,
  ) {}

  create(channel: NewChannel, maxMembers: number): Promise<MembershipChange> {
    return timed(this.observe, 'channels.create', () =>
      transaction(this.pool, async (client) => {
        const { id, name, avatarUrl, createdBy, createdAt } = channel;
        await client.query(
          `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                      last_activity_at, send_policy, direct_key)
           VALUES ($1, 'channel', $2, $3, $4, $5, 0, $5, 'admins', NULL)`,
          [id, name, avatarUrl, createdBy, createdAt],
        );
        await client.query('INSERT INTO channels (conversation_id, is_public, member_count) VALUES ($1, $2, 1)', [
          id,
          channel.public,
        ]);
        await client.query(
          `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq)
           VALUES ($1, $2, 'admin', $3, 1, NULL)`,
          [id, createdBy, createdAt],
        );
        await lockChannel(client, id);
        const others = channel.memberIds.filter((userId) => userId !== createdBy);
        await addMembers(client, id, others, createdAt, maxMembers, 1);
        const message = await postSystemMessage(client, systemMessageDraft(id, channel.system));
        return { conversation: await mustLoadConversation(client, id), message };
      }),
    );
  }

  info(conversationId: string): Promise<ChannelInfo | null> {
    return timed(this.observe, 'channels.info', async () => {
      const { rows } = await this.pool.query<{ is_public: boolean; member_count: string }>(
        'SELECT is_public, member_count FROM channels WHERE conversation_id = $1',
        [conversationId],
      );
      const row = rows[0];
      return row ? { public: row.is_public, memberCount: Number(row.member_count) } : null;
    });
  }

  addMembers(conversationId: string, userIds: readonly string[], at: string, maxMembers: number): Promise<string[]> {
    return timed(this.observe, 'channels.addMembers', async () => {
      await this.queued.flushAll();
      return transaction(this.pool, async (client) => {
        const channel = await lockChannel(client, conversationId);
        return addMembers(client, conversationId, userIds, at, maxMembers, Number(channel.member_count));
      });
    });
  }

  remove(conversationId: string, userId: string): Promise<number> {
    return timed(this.observe, 'channels.remove', async () => {
      await this.queued.flushAll();
      return transaction(this.pool, async (client) => {
        const channel = await lockChannel(client, conversationId);
        const member = await currentMember(client, conversationId, userId);
        if (!member) throw new StoreError('not_member');
        if (member.role === 'admin' && (await adminCount(client, conversationId)) === 1) {
          throw new StoreError('last_admin');
        }
        const lastSeq = Number(channel.last_seq);
        await client.query('UPDATE memberships SET visible_to_seq = $3 WHERE conversation_id = $1 AND user_id = $2', [
          conversationId,
          userId,
          lastSeq,
        ]);
        await client.query('UPDATE channels SET member_count = member_count - 1 WHERE conversation_id = $1', [
          conversationId,
        ]);
        return lastSeq;
      });
    });
  }

  setRole(conversationId: string, userId: string, role: MemberRole): Promise<void> {
    return timed(this.observe, 'channels.setRole', () =>
      transaction(this.pool, async (client) => {
        await lockChannel(client, conversationId);
        const member = await currentMember(client, conversationId, userId);
        if (!member) throw new StoreError('not_member');
        if (member.role === role) return;
        if (role === 'member' && (await adminCount(client, conversationId)) === 1) throw new StoreError('last_admin');
        await client.query('UPDATE memberships SET role = $3 WHERE conversation_id = $1 AND user_id = $2', [
          conversationId,
          userId,
          role,
        ]);
      }),
    );
  }

  markRead(conversationId: string, userId: string, seq: number, at: string): Promise<ReadMove | null> {
    return timed(this.observe, 'channels.markRead', () =>
      transaction(this.pool, async (client) => {
        const member = await currentMember(client, conversationId, userId);
        const { rows } = await client.query<{ last_seq: string }>(
          `SELECT c.last_seq FROM conversations c JOIN channels ch ON ch.conversation_id = c.id WHERE c.id = $1`,
          [conversationId],
        );
        if (!member || !rows[0]) return null;
        const previous = Number(member.read_seq);
        const target = Number.isFinite(seq) ? Math.min(Math.floor(seq), Number(rows[0].last_seq)) : 0;
        if (target <= previous) return { previousReadSeq: previous, readSeq: previous };
        await client.query(
          `UPDATE memberships
              SET read_seq = $3, read_at = $4,
                  delivered_seq = greatest(delivered_seq, $3), sent_seq = greatest(sent_seq, $3),
                  delivered_at = CASE WHEN delivered_seq < $3 THEN $4 ELSE delivered_at END
            WHERE conversation_id = $1 AND user_id = $2`,
          [conversationId, userId, target, at],
        );
        // The member's watermark moves from one histogram row to another.
        if (previous > 0) {
          await client.query(
            'UPDATE channel_read_marks SET members = members - 1 WHERE conversation_id = $1 AND seq = $2',
            [conversationId, previous],
          );
          await client.query(
            'DELETE FROM channel_read_marks WHERE conversation_id = $1 AND seq = $2 AND members <= 0',
            [conversationId, previous],
          );
        }
        await client.query(
          `INSERT INTO channel_read_marks AS r (conversation_id, seq, members) VALUES ($1, $2, 1)
           ON CONFLICT (conversation_id, seq) DO UPDATE SET members = r.members + 1`,
          [conversationId, target],
        );
        return { previousReadSeq: previous, readSeq: target };
      }),
    );
  }

  readerCounts(conversationId: string, seqs: readonly number[]): Promise<Map<number, number>> {
    return timed(this.observe, 'channels.readerCounts', async () => {
      const { rows } = await this.pool.query<{ seq: string; readers: string }>(
        `SELECT s.seq, (SELECT coalesce(sum(members), 0) FROM channel_read_marks r
                         WHERE r.conversation_id = $1 AND r.seq >= s.seq) AS readers
           FROM unnest($2::bigint[]) AS s(seq)`,
        [conversationId, [...seqs]],
      );
      return new Map(rows.map((row) => [Number(row.seq), Number(row.readers)]));
    });
  }

  subscriptionsOf(userId: string): Promise<ChannelSubscription[]> {
    return timed(this.observe, 'channels.subscriptionsOf', async () => {
      const { rows } = await this.pool.query<{ id: string; last_seq: string }>(
        `SELECT c.id, c.last_seq FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
          WHERE mb.user_id = $1 AND mb.visible_to_seq IS NULL AND c.type = 'channel'`,
        [userId],
      );
      return rows.map((row) => ({ conversationId: row.id, lastSeq: Number(row.last_seq) }));
    });
  }

  searchPublic(prefix: string, limit: number): Promise<ConversationRecord[]> {
    return timed(this.observe, 'channels.searchPublic', async () => {
      const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const { rows } = await this.pool.query<{ id: string }>(
        `SELECT c.id FROM channels ch JOIN conversations c ON c.id = ch.conversation_id
          WHERE ch.is_public AND lower(c.name) LIKE $1
          ORDER BY lower(c.name), c.id LIMIT $2`,
        [pattern, limit],
      );
      const found = await Promise.all(rows.map((row) => loadConversation(this.pool, row.id)));
      return found.flatMap((conversation) => conversation ?? []);
    });
  }
}
