/**
 * Pinned messages of a conversation: in a direct chat either member pins, in
 * a group (or channel) only admins. At most PIN_LIMITS.pinnedMessages: one
 * more replaces the oldest pin. In groups a system message announces each new
 * pin. Every change goes to the members (`conversation.pins`), each member
 * getting only the pins of messages within its window.
 */
import { ChatError } from '../protocol/errors.js';
import { PIN_LIMITS, type PinnedMessage } from '../protocol/pins.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { PinnedMessageRecord, PinStore } from '../store/pins/store.js';
import type { ConversationRecord, MembershipRecord, MessageRecord } from '../store/records.js';
import type { ConversationStore, MessageStore, UserStore } from '../store/stores.js';
import { canSee, type MemberView, requireMember } from './access.js';
import { type Clock, newId } from './clock.js';
import type { ChatEvent, ChatEvents } from './events.js';
import { toMessage } from './mappers.js';
import { systemText } from './system-text.js';

export interface PinnedMessagesDeps {
  pins: PinStore;
  users: UserStore;
  conversations: ConversationStore;
  messages: MessageStore;
  events: ChatEvents;
  clock: Clock;
  /** Pins count as sends (each may post a system message); without it, unlimited. */
  sendLimiter?: RateLimiter;
  /** Reports a failed unpin of a deleted message (it runs after the deletion was answered). */
  onError?: (error: unknown) => void;
}

/** A pin together with its message, loaded. */
interface LoadedPin {
  record: PinnedMessageRecord;
  message: MessageRecord;
}

export class PinnedMessages {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: PinnedMessagesDeps) {
    this.unsubscribe = deps.events.subscribe((event) => this.onEvent(event));
  }

  close(): void {
    this.unsubscribe();
  }

  /** The pins the caller, a current member, may see: newest first, deleted messages left out. */
  async list(callerId: string, conversationId: string): Promise<PinnedMessage[]> {
    const { membership } = await requireMember(this.deps.conversations, conversationId, callerId);
    return visibleTo(membership, await this.load(await this.deps.pins.pinnedMessages(conversationId)));
  }

  async pin(callerId: string, conversationId: string, messageId: string): Promise<PinnedMessage[]> {
    const view = await this.requirePinner(callerId, conversationId);
    const message = await this.deps.messages.byId(messageId);
    if (!message || message.conversationId !== conversationId || !canSee(view.membership, message.seq)) {
      throw new ChatError('not_found', 'message not found');
    }
    if (message.type === 'system') throw new ChatError('invalid_request', 'a system message cannot be pinned');
    if (message.deletedAt) throw new ChatError('conflict', 'a deleted message cannot be pinned');
    const rate = await this.deps.sendLimiter?.consume(callerId);
    if (rate && !rate.allowed) {
      throw new ChatError('rate_limited', 'too many pins; slow down', { retryAfterSeconds: rate.retryAfterSeconds });
    }
    const pinnedAt = this.now();
    const result = await this.deps.pins.pinMessage(
      { conversationId, messageId, pinnedBy: callerId, pinnedAt },
      PIN_LIMITS.pinnedMessages,
    );
    if (result.created) {
      if (view.conversation.type !== 'direct') await this.postSystemMessage(callerId, message, pinnedAt);
      await this.announce(view.conversation, result.pins);
    }
    return visibleTo(view.membership, await this.load(result.pins));
  }

  async unpin(callerId: string, conversationId: string, messageId: string): Promise<PinnedMessage[]> {
    const view = await this.requirePinner(callerId, conversationId);
    const { pins, removed } = await this.deps.pins.unpinMessage(conversationId, messageId);
    if (removed) await this.announce(view.conversation, pins);
    return visibleTo(view.membership, await this.load(pins));
  }

  /** A current member; in a group or channel an admin. */
  private async requirePinner(callerId: string, conversationId: string): Promise<MemberView> {
    const view = await requireMember(this.deps.conversations, conversationId, callerId);
    if (view.conversation.type !== 'direct' && view.membership.role !== 'admin') {
      throw new ChatError('forbidden', 'only group admins may pin messages');
    }
    return view;
  }

  /** "alice pinned a message", as the pinner, so it takes the next seq like any message. */
  private async postSystemMessage(actorId: string, pinned: MessageRecord, at: string): Promise<void> {
    const actor = await this.deps.users.byId(actorId);
    const id = newId();
    const result = await this.deps.messages.append({
      id,
      conversationId: pinned.conversationId,
      senderId: actorId,
      clientMsgId: `system:${id}`,
      type: 'system',
      content: systemText({ event: 'message_pinned', actor: actor?.displayName ?? 'someone', target: null }),
      mediaId: null,
      replyToId: null,
      createdAt: at,
      system: { event: 'message_pinned', actorId, targetId: pinned.senderId, messageId: pinned.id },
    });
    if (result.created) {
      this.deps.events.emit({ type: 'message.created', message: result.message, recipientIds: result.recipientIds });
    }
  }

  /**
   * Sends the pins to the current members. Members whose windows start at
   * different seqs may see different pins: one event per distinct list (at
   * most one more than the pins, since the lists nest).
   */
  private async announce(conversation: ConversationRecord, records: PinnedMessageRecord[]): Promise<void> {
    const loaded = await this.load(records);
    const audiences = new Map<string, { pins: PinnedMessage[]; recipientIds: string[] }>();
    for (const member of conversation.members) {
      const pins = visibleTo(member, loaded);
      const key = pins.map((pin) => pin.message.id).join(',');
      const audience = audiences.get(key) ?? { pins, recipientIds: [] };
      audience.recipientIds.push(member.userId);
      audiences.set(key, audience);
    }
    for (const { pins, recipientIds } of audiences.values()) {
      this.deps.events.emit({ type: 'conversation.pins', conversationId: conversation.id, pins, recipientIds });
    }
  }

  private async load(records: PinnedMessageRecord[]): Promise<LoadedPin[]> {
    const messages = await Promise.all(records.map((record) => this.deps.messages.byId(record.messageId)));
    return records.flatMap((record, index) => {
      const message = messages[index];
      return message && !message.deletedAt ? [{ record, message }] : [];
    });
  }

  private onEvent(event: ChatEvent): void {
    // A message deleted for everyone leaves the pins (its content is gone).
    if (event.type !== 'message.updated' || !event.message.deletedAt) return;
    this.unpinDeleted(event.message).catch((error: unknown) => this.deps.onError?.(error));
  }

  private async unpinDeleted(message: MessageRecord): Promise<void> {
    // A read first: deletions are many, pinned ones few.
    const current = await this.deps.pins.pinnedMessages(message.conversationId);
    if (!current.some((pin) => pin.messageId === message.id)) return;
    const { pins, removed } = await this.deps.pins.unpinMessage(message.conversationId, message.id);
    if (!removed) return;
    const conversation = await this.deps.conversations.byId(message.conversationId);
    if (conversation) await this.announce(conversation, pins);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function visibleTo(membership: MembershipRecord, pins: LoadedPin[]): PinnedMessage[] {
  return pins
    .filter(({ message }) => canSee(membership, message.seq))
    .map(({ record, message }) => ({
      message: toMessage(message),
      pinnedBy: record.pinnedBy,
      pinnedAt: record.pinnedAt,
    }));
}
