/**
 * Direct chats and groups: creation, listing, settings and membership. Every
 * membership change posts a system message in the same store step.
 */
import type { MentionStore } from '../mentions/store/store.js';
import type { Conversation, ConversationSummary, MemberRole, SystemEvent } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { StoreError } from '../store/errors.js';
import type { ConversationRecord, SystemDraft } from '../store/records.js';
import type { ConversationStore, MembershipChange, UserStore } from '../store/stores.js';
import { requireGroupAdmin, requireMember } from './access.js';
import { type Clock, newId } from './clock.js';
import type { ChatEvents } from './events.js';
import { toConversation, toSummary } from './mappers.js';
import { systemText } from './system-text.js';

export interface ConversationsDeps {
  users: UserStore;
  conversations: ConversationStore;
  events: ChatEvents;
  clock: Clock;
  maxGroupMembers: number;
  /** Group creations per user; without it, unlimited. */
  groupCreations?: RateLimiter;
  /** Unread-mention counts for the list; without it they are all 0. */
  mentions?: MentionStore;
}

export interface GroupInput {
  name: string;
  memberIds: readonly string[];
  avatarUrl?: string | null;
}

export interface GroupPatch {
  name?: string;
  avatarUrl?: string | null;
  sendPolicy?: 'all' | 'admins';
}

export class Conversations {
  constructor(private readonly deps: ConversationsDeps) {}

  /** The direct chat with another user, created on first use. */
  async openDirect(callerId: string, otherId: string): Promise<{ conversation: Conversation; created: boolean }> {
    if (callerId === otherId) throw new ChatError('invalid_request', 'a direct chat needs another user');
    if (!(await this.deps.users.byId(otherId))) throw new ChatError('not_found', 'user not found');
    const result = await this.deps.conversations.getOrCreateDirect(newId(), callerId, otherId, this.now());
    if (result.created) this.announce(result.conversation, []);
    return { conversation: toConversation(result.conversation), created: result.created };
  }

  async createGroup(creatorId: string, input: GroupInput): Promise<Conversation> {
    const rate = await this.deps.groupCreations?.consume(creatorId);
    if (rate && !rate.allowed) {
      throw new ChatError('rate_limited', 'too many groups created; retry later', {
        retryAfterSeconds: rate.retryAfterSeconds,
      });
    }
    const memberIds = [...new Set(input.memberIds)].filter((id) => id !== creatorId);
    if (memberIds.length + 1 > this.deps.maxGroupMembers) {
      throw new ChatError('invalid_request', `a group holds at most ${this.deps.maxGroupMembers} members`);
    }
    const found = await this.deps.users.byIds(memberIds);
    if (found.length !== memberIds.length) throw new ChatError('invalid_request', 'memberIds names unknown users');
    const change = await this.deps.conversations.createGroup({
      id: newId(),
      name: input.name,
      avatarUrl: input.avatarUrl ?? null,
      createdBy: creatorId,
      createdAt: this.now(),
      memberIds,
      system: await this.systemDraft(creatorId, 'group_created', null, { groupName: input.name }),
    });
    this.announceChange(change);
    return toConversation(change.conversation);
  }

  async get(callerId: string, conversationId: string): Promise<Conversation> {
    const { conversation } = await requireMember(this.deps.conversations, conversationId, callerId);
    return toConversation(conversation);
  }

  async list(callerId: string): Promise<ConversationSummary[]> {
    const [entries, mentionCounts] = await Promise.all([
      this.deps.conversations.listForUser(callerId),
      this.deps.mentions?.unreadCounts(callerId) ?? new Map<string, number>(),
    ]);
    return entries.flatMap((entry) =>
      entry.conversation.type === 'channel' || entry.conversation.members.some((m) => m.userId === callerId)
        ? [toSummary(entry, mentionCounts.get(entry.conversation.id) ?? 0)]
        : [],
    );
  }

  /** Everyone who shares a current conversation with the user: the audience of its presence. */
  async peersOf(userId: string): Promise<string[]> {
    const peers = new Set<string>();
    for (const { conversation } of await this.deps.conversations.listForUser(userId)) {
      // Channel members do not share presence: an admin would hear 100,000 readers come and go.
      if (conversation.type === 'channel') continue;
      for (const member of conversation.members) if (member.userId !== userId) peers.add(member.userId);
    }
    return [...peers];
  }

  async updateGroup(callerId: string, conversationId: string, patch: GroupPatch): Promise<Conversation> {
    const view = await requireMember(this.deps.conversations, conversationId, callerId);
    requireGroupAdmin(view);
    const updated = await this.deps.conversations.update(conversationId, patch);
    if (!updated) throw new ChatError('not_found', 'conversation not found');
    this.announce(updated, []);
    return toConversation(updated);
  }

  async addMember(callerId: string, conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    requireGroupAdmin(await requireMember(this.deps.conversations, conversationId, callerId));
    if (!(await this.deps.users.byId(userId))) throw new ChatError('not_found', 'user not found');
    const system = await this.systemDraft(callerId, 'member_added', userId);
    const change = await this.storeStep(() =>
      this.deps.conversations.addMember(conversationId, userId, role, this.deps.maxGroupMembers, system),
    );
    this.announceChange(change);
    return toConversation(change.conversation);
  }

  /** An admin removes a member, or a member leaves (callerId === userId). */
  async removeMember(callerId: string, conversationId: string, userId: string): Promise<Conversation> {
    const view = await requireMember(this.deps.conversations, conversationId, callerId);
    const leaving = callerId === userId;
    if (leaving) {
      if (view.conversation.type !== 'group') throw new ChatError('invalid_request', 'this is not a group');
    } else {
      requireGroupAdmin(view);
    }
    const system = await this.systemDraft(callerId, leaving ? 'member_left' : 'member_removed', userId);
    const change = await this.storeStep(() => this.deps.conversations.removeMember(conversationId, userId, system));
    this.announceChange(change, userId);
    return toConversation(change.conversation);
  }

  async setRole(callerId: string, conversationId: string, userId: string, role: MemberRole): Promise<Conversation> {
    requireGroupAdmin(await requireMember(this.deps.conversations, conversationId, callerId));
    const system = await this.systemDraft(callerId, 'role_changed', userId, { role });
    const change = await this.storeStep(() => this.deps.conversations.setRole(conversationId, userId, role, system));
    this.announceChange(change);
    return toConversation(change.conversation);
  }

  private async storeStep(step: () => Promise<MembershipChange>): Promise<MembershipChange> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      switch (error.kind) {
        case 'member_limit':
          throw new ChatError('conflict', `a group holds at most ${this.deps.maxGroupMembers} members`);
        case 'already_member':
          throw new ChatError('conflict', 'already a member');
        case 'not_member':
          throw new ChatError('not_found', 'not a member of this group');
        default:
          throw new ChatError('not_found', 'conversation not found');
      }
    }
  }

  private async systemDraft(
    actorId: string,
    event: SystemEvent['event'],
    targetId: string | null,
    details: { groupName?: string; role?: MemberRole } = {},
  ): Promise<SystemDraft> {
    const users = await this.deps.users.byIds(targetId ? [actorId, targetId] : [actorId]);
    const nameOf = (id: string) => users.find((u) => u.id === id)?.displayName ?? 'someone';
    return {
      id: newId(),
      senderId: actorId,
      content: systemText({ event, actor: nameOf(actorId), target: targetId ? nameOf(targetId) : null, ...details }),
      createdAt: this.now(),
      system: { event, actorId, targetId },
    };
  }

  /** The system message goes to the members after the change and to a removed member (it ends its window). */
  private announceChange(change: MembershipChange, removedUserId?: string): void {
    const { conversation, message } = change;
    const recipientIds = conversation.members.map((m) => m.userId);
    if (removedUserId) recipientIds.push(removedUserId);
    this.deps.events.emit({ type: 'message.created', message, recipientIds });
    this.announce(conversation, removedUserId ? [{ userId: removedUserId, atSeq: message.seq }] : []);
  }

  private announce(conversation: ConversationRecord, removed: { userId: string; atSeq: number }[]): void {
    this.deps.events.emit({ type: 'conversation.updated', conversation, removed });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
