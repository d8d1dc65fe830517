/**
 * Broadcast channels: admins post, up to `maxChannelMembers` members read.
 * Public channels can be found by name and joined by id; admins add members
 * (of any channel), remove them, and name other admins. Members see the whole
 * history. Reads move the member's watermark and the channel's reader counts;
 * nobody hears of another member's receipts (no per-member `message:delivered`
 * or `message:read` to the admins), and the reader counts are read by admins.
 */
import type { Conversation, MemberRole } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { ChannelStore } from '../store/channel-store.js';
import { StoreError } from '../store/errors.js';
import type { ConversationRecord, MembershipRecord } from '../store/records.js';
import type { ConversationStore, UserStore } from '../store/stores.js';
import { type Clock, newId } from './clock.js';
import type { ChatEvents } from './events.js';
import { toConversation } from './mappers.js';
import { systemText } from './system-text.js';

export interface ChannelsDeps {
  users: UserStore;
  conversations: ConversationStore;
  channels: ChannelStore;
  events: ChatEvents;
  clock: Clock;
  /** CHAT_MAX_CHANNEL_MEMBERS. */
  maxChannelMembers: number;
  /** Channel creations per user (shared with group creations); without it, unlimited. */
  creations?: RateLimiter;
}

export interface ChannelInput {
  name: string;
  public?: boolean | undefined;
  memberIds?: readonly string[] | undefined;
  avatarUrl?: string | null | undefined;
}

/** Conversation types never change: what is a channel is remembered (bounded). */
const KIND_CACHE_MAX = 50_000;

export class Channels {
  private readonly kinds = new Map<string, boolean>();

  constructor(private readonly deps: ChannelsDeps) {}

  /** Whether the conversation is a channel (cached: a conversation never changes type). */
  async isChannel(conversationId: string): Promise<boolean> {
    const known = this.kinds.get(conversationId);
    if (known !== undefined) return known;
    const channel = (await this.deps.channels.info(conversationId)) !== null;
    if (this.kinds.size >= KIND_CACHE_MAX) this.kinds.clear();
    this.kinds.set(conversationId, channel);
    return channel;
  }

  async create(creatorId: string, input: ChannelInput): Promise<Conversation> {
    const rate = await this.deps.creations?.consume(creatorId);
    if (rate && !rate.allowed) {
      throw new ChatError('rate_limited', 'too many channels created; retry later', {
        retryAfterSeconds: rate.retryAfterSeconds,
      });
    }
    const creator = await this.deps.users.byId(creatorId);
    const createdAt = this.now();
    const change = await this.storeStep(() =>
      this.deps.channels.create(
        {
          id: newId(),
          name: input.name,
          avatarUrl: input.avatarUrl ?? null,
          public: input.public ?? true,
          createdBy: creatorId,
          createdAt,
          memberIds: input.memberIds ?? [],
          system: {
            id: newId(),
            senderId: creatorId,
            content: systemText({
              event: 'channel_created',
              actor: creator?.displayName ?? 'someone',
              target: null,
              groupName: input.name,
            }),
            createdAt,
            system: { event: 'channel_created', actorId: creatorId, targetId: null },
          },
        },
        this.deps.maxChannelMembers,
      ),
    );
    const { conversation, message } = change;
    this.deps.events.emit({ type: 'message.created', message, recipientIds: [], channel: true });
    this.announceMembership(conversation, [creatorId, ...(input.memberIds ?? [])], true);
    this.deps.events.emit({ type: 'conversation.updated', conversation, removed: [] });
    return toConversation(conversation);
  }

  /** Public channels by name prefix: what a user can find and join. */
  async search(prefix: string, limit: number): Promise<Conversation[]> {
    return (await this.deps.channels.searchPublic(prefix, limit)).map(toConversation);
  }

  /**
   * Joins a public channel (idempotent); a private one answers not_found
   * unless the caller is already a member (then, as for a public one, the same).
   */
  async join(callerId: string, conversationId: string): Promise<Conversation> {
    const info = await this.deps.channels.info(conversationId);
    if (info && !info.public) {
      await this.requireMember(callerId, conversationId);
      return toConversation(await this.mustLoad(conversationId));
    }
    if (!info) throw new ChatError('not_found', 'channel not found');
    const added = await this.storeStep(() =>
      this.deps.channels.addMembers(conversationId, [callerId], this.now(), this.deps.maxChannelMembers),
    );
    const conversation = await this.mustLoad(conversationId);
    if (added.length > 0) this.announceMembership(conversation, added, true);
    return toConversation(conversation);
  }

  /** Admins add members (readers) to any channel; resolves with who was added. */
  async addMembers(
    callerId: string,
    conversationId: string,
    userIds: readonly string[],
  ): Promise<{ added: string[]; conversation: Conversation }> {
    await this.requireAdmin(callerId, conversationId);
    const added = await this.storeStep(() =>
      this.deps.channels.addMembers(conversationId, userIds, this.now(), this.deps.maxChannelMembers),
    );
    const conversation = await this.mustLoad(conversationId);
    if (added.length > 0) this.announceMembership(conversation, added, true);
    return { added, conversation: toConversation(conversation) };
  }

  /** A member leaves (callerId === userId), or an admin removes one. */
  async removeMember(callerId: string, conversationId: string, userId: string): Promise<void> {
    if (callerId === userId) await this.requireMember(callerId, conversationId);
    else await this.requireAdmin(callerId, conversationId);
    await this.storeStep(() => this.deps.channels.remove(conversationId, userId));
    const conversation = await this.mustLoad(conversationId);
    this.announceMembership(conversation, [userId], false);
  }

  async setRole(callerId: string, conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    await this.requireAdmin(callerId, conversationId);
    await this.storeStep(() => this.deps.channels.setRole(conversationId, userId, role));
    const conversation = await this.mustLoad(conversationId);
    this.deps.events.emit({ type: 'conversation.updated', conversation, removed: [] });
    return toConversation(conversation);
  }

  async update(
    callerId: string,
    conversationId: string,
    patch: { name?: string | undefined; avatarUrl?: string | null | undefined },
  ): Promise<Conversation> {
    await this.requireAdmin(callerId, conversationId);
    const updated = await this.deps.conversations.update(conversationId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.avatarUrl !== undefined ? { avatarUrl: patch.avatarUrl } : {}),
    });
    if (!updated) throw new ChatError('not_found', 'channel not found');
    this.deps.events.emit({ type: 'conversation.updated', conversation: updated, removed: [] });
    return toConversation(updated);
  }

  /** Admins only: how many members have read up to each seq. */
  async readers(
    callerId: string,
    conversationId: string,
    seqs: readonly number[],
  ): Promise<{ conversationId: string; memberCount: number; readers: Record<string, number> }> {
    await this.requireAdmin(callerId, conversationId);
    const [counts, info] = await Promise.all([
      this.deps.channels.readerCounts(conversationId, seqs),
      this.deps.channels.info(conversationId),
    ]);
    return { conversationId, memberCount: info?.memberCount ?? 0, readers: Object.fromEntries(counts) };
  }

  /**
   * A member read up to `seq`: its watermark and the reader counts move. Only
   * the reader's own devices hear of it (unread counts agree across them).
   */
  async markRead(userId: string, conversationId: string, seq: number): Promise<void> {
    const move = await this.deps.channels.markRead(conversationId, userId, seq, this.now());
    if (!move) throw new ChatError('not_found', 'conversation not found');
    if (move.readSeq > move.previousReadSeq) {
      this.deps.events.emit({
        type: 'receipt',
        kind: 'read',
        conversationId,
        userId,
        seq: move.readSeq,
        notifyUserIds: [userId],
      });
    }
  }

  private async requireMember(userId: string, conversationId: string): Promise<MembershipRecord> {
    if (!(await this.isChannel(conversationId))) throw new ChatError('not_found', 'channel not found');
    const membership = await this.deps.conversations.membership(conversationId, userId);
    if (!membership || membership.visibleToSeq !== null) throw new ChatError('not_found', 'channel not found');
    return membership;
  }

  private async requireAdmin(userId: string, conversationId: string): Promise<void> {
    const membership = await this.requireMember(userId, conversationId);
    if (membership.role !== 'admin') throw new ChatError('forbidden', 'only channel admins may do this');
  }

  private async mustLoad(conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.deps.conversations.byId(conversationId);
    if (!conversation) throw new ChatError('not_found', 'channel not found');
    return conversation;
  }

  private announceMembership(conversation: ConversationRecord, userIds: readonly string[], joined: boolean): void {
    this.deps.events.emit({ type: 'channel.membership', conversation, userIds: [...new Set(userIds)], joined });
  }

  private async storeStep<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      switch (error.kind) {
        case 'member_limit':
          throw new ChatError('conflict', `a channel holds at most ${this.deps.maxChannelMembers} members`);
        case 'last_admin':
          throw new ChatError('conflict', "a channel's only admin cannot leave or step down: name another admin first");
        case 'not_member':
          throw new ChatError('not_found', 'not a member of this channel');
        default:
          throw new ChatError('not_found', 'channel not found');
      }
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
