/**
 * ChannelStore on SQLite. Every change is one synchronous transaction on the
 * writer thread; writes queued before it (appends, acks) commit first.
 */
import type { MemberRole } from '../../protocol/dto.js';
import type { ChannelInfo, ChannelStore, ChannelSubscription, NewChannel, ReadMove } from '../channel-store.js';
import { StoreError } from '../errors.js';
import type { ConversationRecord } from '../records.js';
import type { MembershipChange } from '../stores.js';
import type { DraftWriter } from './append.js';
import { ConversationQueries } from './conversation-queries.js';
import { type Db, type Observe, timed } from './database.js';
import type { Flushable } from './group-commit.js';
import { systemMessageDraft } from './membership-changes.js';
import type { MembershipRow } from './rows.js';

export class SqliteChannelStore implements ChannelStore {
  private readonly queries: ConversationQueries;
  private readonly sql;
  private readonly createTx: (channel: NewChannel, maxMembers: number) => MembershipChange;
  private readonly addTx: (conversationId: string, userIds: readonly string[], at: string, max: number) => string[];
  private readonly removeTx: (conversationId: string, userId: string) => number;
  private readonly roleTx: (conversationId: string, userId: string, role: MemberRole) => void;
  private readonly readTx: (conversationId: string, userId: string, seq: number, at: string) => ReadMove | null;

  constructor(
    db: Db,
    private readonly writer: DraftWriter,
    private readonly queued: Flushable,
    private readonly observe?: Observe,
  ) {
    this.queries = new ConversationQueries(db);
    this.sql = {
      insertConversation: db.prepare(
        `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq,
                                    last_activity_at, send_policy, direct_key)
         VALUES (@id, 'channel', @name, @avatarUrl, @createdBy, @createdAt, 0, @createdAt, 'admins', NULL)`,
      ),
      insertChannel: db.prepare<[string, number]>(
        'INSERT INTO channels (conversation_id, is_public, member_count) VALUES (?, ?, 0)',
      ),
      channel: db.prepare<[string], { is_public: 0 | 1; member_count: number; last_seq: number }>(
        `SELECT ch.is_public, ch.member_count, c.last_seq
           FROM channels ch JOIN conversations c ON c.id = ch.conversation_id WHERE ch.conversation_id = ?`,
      ),
      bumpCount: db.prepare<[number, string]>(
        'UPDATE channels SET member_count = member_count + ? WHERE conversation_id = ?',
      ),
      // Channel members see the whole history: the window starts at seq 1.
      insertMember: db.prepare<[string, MemberRole, string, string]>(
        `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq)
         SELECT ?, id, ?, ?, 1, NULL FROM users WHERE id = ?`,
      ),
      reopenMember: db.prepare<[string, string, string]>(
        `UPDATE memberships SET role = 'member', joined_at = ?, visible_from_seq = 1, visible_to_seq = NULL
          WHERE conversation_id = ? AND user_id = ?`,
      ),
      membership: db.prepare<[string, string], MembershipRow>(
        'SELECT * FROM memberships WHERE conversation_id = ? AND user_id = ?',
      ),
      adminCount: db
        .prepare<[string], number>(
          `SELECT count(*) FROM memberships INDEXED BY memberships_admins
            WHERE conversation_id = ? AND role = 'admin' AND visible_to_seq IS NULL`,
        )
        .pluck(),
      closeWindow: db.prepare<[number, string, string]>(
        'UPDATE memberships SET visible_to_seq = ? WHERE conversation_id = ? AND user_id = ?',
      ),
      setRole: db.prepare<[MemberRole, string, string]>(
        'UPDATE memberships SET role = ? WHERE conversation_id = ? AND user_id = ?',
      ),
      setRead: db.prepare<{ conversationId: string; userId: string; seq: number; at: string }>(
        `UPDATE memberships
            SET read_seq = @seq, read_at = @at,
                delivered_seq = max(delivered_seq, @seq), sent_seq = max(sent_seq, @seq),
                delivered_at = CASE WHEN delivered_seq < @seq THEN @at ELSE delivered_at END
          WHERE conversation_id = @conversationId AND user_id = @userId`,
      ),
      markLeave: db.prepare<[string, number]>(
        'UPDATE channel_read_marks SET members = members - 1 WHERE conversation_id = ? AND seq = ?',
      ),
      dropEmptyMark: db.prepare<[string, number]>(
        'DELETE FROM channel_read_marks WHERE conversation_id = ? AND seq = ? AND members <= 0',
      ),
      markArrive: db.prepare<[string, number]>(
        `INSERT INTO channel_read_marks (conversation_id, seq, members) VALUES (?, ?, 1)
         ON CONFLICT (conversation_id, seq) DO UPDATE SET members = members + 1`,
      ),
      readersFrom: db
        .prepare<[string, number], number>(
          'SELECT coalesce(sum(members), 0) FROM channel_read_marks WHERE conversation_id = ? AND seq >= ?',
        )
        .pluck(),
      subscriptions: db.prepare<[string], { id: string; last_seq: number }>(
        `SELECT c.id, c.last_seq FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
          WHERE mb.user_id = ? AND mb.visible_to_seq IS NULL AND c.type = 'channel'`,
      ),
      searchPublic: db
        .prepare<[string, number], string>(
          `SELECT c.id FROM channels ch JOIN conversations c ON c.id = ch.conversation_id
            WHERE ch.is_public = 1 AND lower(c.name) LIKE ? ESCAPE '\\'
            ORDER BY lower(c.name), c.id LIMIT ?`,
        )
        .pluck(),
    };

    this.createTx = db.transaction((channel: NewChannel, maxMembers: number) => {
      const { id, name, avatarUrl, createdBy, createdAt } = channel;
      this.sql.insertConversation.run({ id, name, avatarUrl, createdBy, createdAt });
      this.sql.insertChannel.run(id, channel.public ? 1 : 0);
      this.sql.insertMember.run(id, 'admin', createdAt, createdBy);
      this.sql.bumpCount.run(1, id);
      this.add(id, channel.memberIds, createdAt, maxMembers);
      const message = this.writer.postSystem(systemMessageDraft(id, channel.system));
      return { conversation: this.queries.mustLoad(id), message };
    }).immediate;
    this.addTx = db.transaction((conversationId: string, userIds: readonly string[], at: string, max: number) =>
      this.add(conversationId, userIds, at, max),
    ).immediate;
    this.removeTx = db.transaction((conversationId: string, userId: string) => {
      const channel = this.mustChannel(conversationId);
      const member = this.current(conversationId, userId);
      if (member.role === 'admin' && this.sql.adminCount.get(conversationId) === 1) throw new StoreError('last_admin');
      this.sql.closeWindow.run(channel.last_seq, conversationId, userId);
      this.sql.bumpCount.run(-1, conversationId);
      return channel.last_seq;
    }).immediate;
    this.roleTx = db.transaction((conversationId: string, userId: string, role: MemberRole) => {
      this.mustChannel(conversationId);
      const member = this.current(conversationId, userId);
      if (member.role === role) return;
      if (role === 'member' && this.sql.adminCount.get(conversationId) === 1) throw new StoreError('last_admin');
      this.sql.setRole.run(role, conversationId, userId);
    }).immediate;
    this.readTx = db.transaction((conversationId: string, userId: string, seq: number, at: string) => {
      const channel = this.sql.channel.get(conversationId);
      const member = this.sql.membership.get(conversationId, userId);
      if (!channel || !member || member.visible_to_seq !== null) return null;
      const target = Number.isFinite(seq) ? Math.min(Math.floor(seq), channel.last_seq) : 0;
      if (target <= member.read_seq) return { previousReadSeq: member.read_seq, readSeq: member.read_seq };
      this.sql.setRead.run({ conversationId, userId, seq: target, at });
      // The member's watermark moves from one histogram row to another.
      if (member.read_seq > 0) {
        this.sql.markLeave.run(conversationId, member.read_seq);
        this.sql.dropEmptyMark.run(conversationId, member.read_seq);
      }
      this.sql.markArrive.run(conversationId, target);
      return { previousReadSeq: member.read_seq, readSeq: target };
    }).immediate;
  }

  create(channel: NewChannel, maxMembers: number): Promise<MembershipChange> {
    return timed(this.observe, 'channels.create', () => {
      this.queued.flushAll();
      return this.createTx(channel, maxMembers);
    });
  }

  info(conversationId: string): Promise<ChannelInfo | null> {
    return timed(this.observe, 'channels.info', () => {
      const row = this.sql.channel.get(conversationId);
      return row ? { public: row.is_public === 1, memberCount: row.member_count } : null;
    });
  }

  addMembers(conversationId: string, userIds: readonly string[], at: string, maxMembers: number): Promise<string[]> {
    return timed(this.observe, 'channels.addMembers', () => {
      this.queued.flushAll();
      return this.addTx(conversationId, userIds, at, maxMembers);
    });
  }

  remove(conversationId: string, userId: string): Promise<number> {
    return timed(this.observe, 'channels.remove', () => {
      this.queued.flushAll();
      return this.removeTx(conversationId, userId);
    });
  }

  setRole(conversationId: string, userId: string, role: MemberRole): Promise<void> {
    return timed(this.observe, 'channels.setRole', () => this.roleTx(conversationId, userId, role));
  }

  markRead(conversationId: string, userId: string, seq: number, at: string): Promise<ReadMove | null> {
    return timed(this.observe, 'channels.markRead', () => this.readTx(conversationId, userId, seq, at));
  }

  readerCounts(conversationId: string, seqs: readonly number[]): Promise<Map<number, number>> {
    return timed(
      this.observe,
      'channels.readerCounts',
      () => new Map(seqs.map((seq) => [seq, this.sql.readersFrom.get(conversationId, seq) ?? 0])),
    );
  }

  subscriptionsOf(userId: string): Promise<ChannelSubscription[]> {
    return timed(this.observe, 'channels.subscriptionsOf', () =>
      this.sql.subscriptions.all(userId).map((row) => ({ conversationId: row.id, lastSeq: row.last_seq })),
    );
  }

  searchPublic(prefix: string, limit: number): Promise<ConversationRecord[]> {
    return timed(this.observe, 'channels.searchPublic', () => {
      const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return this.sql.searchPublic.all(pattern, limit).flatMap((id) => this.queries.load(id) ?? []);
    });
  }

  /** Inside a transaction: adds the users not yet current members; all or none. */
  private add(conversationId: string, userIds: readonly string[], at: string, maxMembers: number): string[] {
    const channel = this.mustChannel(conversationId);
    const added: string[] = [];
    for (const userId of new Set(userIds)) {
      const existing = this.sql.membership.get(conversationId, userId);
      if (existing && existing.visible_to_seq === null) continue;
      const changes = existing
        ? this.sql.reopenMember.run(at, conversationId, userId).changes
        : this.sql.insertMember.run(conversationId, 'member', at, userId).changes;
      if (changes === 1) added.push(userId);
    }
    if (channel.member_count + added.length > maxMembers) throw new StoreError('member_limit');
    if (added.length > 0) this.sql.bumpCount.run(added.length, conversationId);
    return added;
  }

  private mustChannel(conversationId: string) {
    const channel = this.sql.channel.get(conversationId);
    if (!channel) throw new StoreError('conversation_not_found');
    return channel;
  }

  private current(conversationId: string, userId: string): MembershipRow {
    const member = this.sql.membership.get(conversationId, userId);
    if (!member || member.visible_to_seq !== null) throw new StoreError('not_member');
    return member;
  }
}
