/**
 * Messages: send (idempotent, durable before it answers), edit, delete for
 * everyone, read marks, receipts, history and search.
 */
import type { ChangeStore } from '../changes/store/store.js';
import type { MentionStore } from '../mentions/store/store.js';
import type { ConversationType, LinkPreview, Message, MessageType, Receipt } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { ForwardTarget } from '../protocol/forwarding.js';
import { LIMITS } from '../protocol/limits.js';
import type { RateDecision, RateLimiter } from '../ratelimit/limiter.js';
import { StoreError } from '../store/errors.js';
import type { ConversationRecord, MessageDraft, MessageRecord } from '../store/records.js';
import type { ConversationStore, DeliveryStore, MediaStore, MessageStore, UserStore } from '../store/stores.js';
import { canSee, isCurrent, requireReader, visibleWindow } from './access.js';
import { type Clock, newId } from './clock.js';
import type { ChatEvents } from './events.js';
import { forwardDrafts, requirePoster } from './forwarding.js';
import { toMessage } from './mappers.js';
import { mediaMessageType } from './media.js';
import { resolveMentions } from './mentions.js';
import { receiptFor } from './receipts.js';

export interface MessagingDeps {
  users: UserStore;
  conversations: ConversationStore;
  messages: MessageStore;
  delivery: DeliveryStore;
  /** Uploaded media; without it every mediaId answers not_found. */
  media?: MediaStore;
  events: ChatEvents;
  clock: Clock;
  /** Sends per user (REST and WebSocket alike); without it, unlimited. */
  sendLimiter?: RateLimiter;
  /** Resolves group @mentions; without it no message mentions anyone. */
  mentions?: MentionStore;
  /** The stored link previews of messages (src/previews), attached to history; without it none. */
  previews?: { forMessages(messages: readonly MessageRecord[]): Promise<Map<string, LinkPreview>> };
  /**
   * Reactions and the change stream (src/changes): edits and deletions take a
   * change number there, and history carries reaction summaries. Without it,
   * edits and deletions go to the message store alone.
   */
  changes?: ChangeStore;
  /**
   * Broadcast channels (src/domain/channels.ts): their messages fan out to
   * followers, reads move reader counts, delivery acks store nothing. Without
   * it every conversation is treated as a group.
   */
  channels?: {
    isChannel(conversationId: string): Promise<boolean>;
    markRead(userId: string, conversationId: string, seq: number): Promise<void>;
  };
}

export interface SendInput {
  conversationId: string;
  clientMsgId: string;
  type?: Exclude<MessageType, 'system'>;
  content: string;
  mediaId?: string | null;
  replyToId?: string | null;
}

export interface SendResult {
  message: Message;
  /** What `message` was mapped from: the realtime gateway serialises it once for the ack and every recipient. */
  stored: MessageRecord;
  /** false for a repeat of an earlier (sender, clientMsgId). */
  created: boolean;
}

const utf8 = new TextEncoder();

export class Messaging {
  constructor(private readonly deps: MessagingDeps) {}

  /**
   * `onQueued` is called once the message has its place in the store's write
   * queue: sends started after that are stored after it, so a connection can
   * pipeline sends without waiting for each to be durable and keep their order.
   */
  async send(senderId: string, input: SendInput, onQueued?: () => void): Promise<SendResult> {
    refuseOverLimit(await this.deps.sendLimiter?.consume(senderId));
    const mediaId = input.mediaId ?? null;
    // Without a type, a message with media takes the media's kind.
    const requested = input.type ?? (mediaId ? null : 'text');
    checkContent(requested ?? 'file', input.content, mediaId);
    if (requested === 'text' && mediaId) {
      throw new ChatError('invalid_request', 'a text message carries no media: use type image, video or file');
    }
    const grant = requirePoster(await this.deps.conversations.sendGrant(input.conversationId, senderId));
    let type: Exclude<MessageType, 'system'> = requested ?? 'file';
    const createdAt = this.now();
    if (mediaId) {
      // Only the uploader attaches its media; touching it keeps the orphan sweep away from it.
      const media = await this.deps.media?.touch(mediaId, senderId, createdAt);
      if (!media) throw new ChatError('not_found', 'media not found');
      type = mediaMessageType(requested, media);
    }
    if (input.replyToId) {
      const original = await this.deps.messages.byId(input.replyToId);
      // The sender is a current member: its window is open at the top.
      if (!original || original.conversationId !== input.conversationId || original.seq < grant.visibleFromSeq) {
        throw new ChatError('invalid_request', 'replyToId must name a message of this conversation');
      }
    }
    const conversation = { id: input.conversationId, type: grant.type };
    // Only a group's messages mention anyone: the others skip the call (this path runs for every message).
    const mentions =
      grant.type === 'group' ? await resolveMentions(this.deps.mentions, conversation, senderId, input.content) : [];
    const draft: MessageDraft = {
      id: newId(),
      conversationId: input.conversationId,
      senderId,
      clientMsgId: input.clientMsgId,
      type,
      content: input.content,
      mediaId,
      replyToId: input.replyToId ?? null,
      createdAt,
      system: null,
      ...(mentions.length > 0 ? { mentions } : {}),
    };
    return this.commit(draft, onQueued, grant.type);
  }

  /**
   * Forwards a message to up to LIMITS.forwardTargetsMax conversations
   * (src/domain/forwarding.ts); the copies in the order of the targets. Each
   * target counts as one send for the rate limit.
   */
  async forward(callerId: string, messageId: string, targets: readonly ForwardTarget[]): Promise<SendResult[]> {
    for (let i = 0; i < targets.length; i++) refuseOverLimit(await this.deps.sendLimiter?.consume(callerId));
    const drafts = await forwardDrafts(this.deps, callerId, messageId, targets, this.now());
    const results: SendResult[] = [];
    // One after another: a failure leaves the later targets unsent, and a retry with the same clientMsgIds completes them.
    for (const draft of drafts) results.push(await this.commit(draft));
    return results;
  }

  private async isChannel(conversationId: string): Promise<boolean> {
    return (await this.deps.channels?.isChannel(conversationId)) ?? false;
  }

  /**
   * Appends a checked draft and announces it; durable before it resolves.
   * `type`, when the caller knows it, saves asking whether it is a channel
   * (without the channels module, none is treated as one).
   */
  private async commit(draft: MessageDraft, onQueued?: () => void, type?: ConversationType): Promise<SendResult> {
    try {
      const appended = this.deps.messages.append(draft);
      onQueued?.();
      const result = await appended;
      const known = type === undefined ? undefined : type === 'channel' && this.deps.channels !== undefined;
      if (result.created && (known ?? (await this.isChannel(draft.conversationId)))) {
        this.deps.events.emit({ type: 'message.created', message: result.message, recipientIds: [], channel: true });
      } else if (result.created) {
        this.deps.events.emit({ type: 'message.created', message: result.message, recipientIds: result.recipientIds });
      } else {
        await this.announceRepeat(result.message);
      }
      return { message: toMessage(result.message), stored: result.message, created: result.created };
    } catch (error) {
      if (error instanceof StoreError) throw new ChatError('not_found', 'conversation not found');
      throw error;
    }
  }

  /**
   * A repeated send may be the retry of one whose commit went through but
   * whose answer was lost (a dropped database connection, a node killed after
   * COMMIT): then nobody heard of the message. Announcing it again costs a read
   * and frames that the recipients' streams drop by seq when they had it.
   */
  private async announceRepeat(message: MessageRecord): Promise<void> {
    const conversation = await this.deps.conversations.byId(message.conversationId);
    if (!conversation) return;
    if (conversation.type === 'channel') {
      this.deps.events.emit({ type: 'message.created', message, recipientIds: [], repeat: true, channel: true });
      return;
    }
    const recipientIds = conversation.members.filter((m) => canSee(m, message.seq)).map((m) => m.userId);
    this.deps.events.emit({ type: 'message.created', message, recipientIds, repeat: true });
  }

  async edit(callerId: string, messageId: string, content: string): Promise<Message> {
    const { message, conversation } = await this.visibleMessage(callerId, messageId);
    if (message.senderId !== callerId || message.type === 'system') {
      throw new ChatError('forbidden', 'only the sender may edit a message');
    }
    if (message.deletedAt) throw new ChatError('conflict', 'a deleted message cannot be edited');
    checkContent(message.type, content, message.mediaId);
    const at = this.now();
    const done = this.deps.changes
      ? await this.deps.changes.edit(messageId, content, callerId, at)
      : await this.deps.messages.edit(messageId, content, at).then((m) => m && { message: m, change: null });
    if (!done) throw new ChatError('conflict', 'a deleted message cannot be edited');
    this.emitUpdated(done.message, conversation, done.change?.changeSeq);
    return toMessage(done.message);
  }

  /** Deletes for everyone: the sender, or an admin of the group. */
  async delete(callerId: string, messageId: string): Promise<Message> {
    const { message, conversation, membership } = await this.visibleMessage(callerId, messageId);
    const isAdmin = (conversation.type === 'group' || conversation.type === 'channel') && membership.role === 'admin';
    if ((message.senderId !== callerId && !isAdmin) || message.type === 'system') {
      throw new ChatError('forbidden', 'only the sender or a group admin may delete a message');
    }
    if (message.deletedAt) return toMessage(message);
    const at = this.now();
    const done = this.deps.changes
      ? await this.deps.changes.softDelete(messageId, callerId, at)
      : await this.deps.messages.softDelete(messageId, at).then((m) => m && { message: m, change: null });
    if (!done) throw new ChatError('not_found', 'message not found');
    // Deleted meanwhile by someone else: that deletion was announced with its change number.
    if (this.deps.changes && !done.change) return toMessage(done.message);
    this.emitUpdated(done.message, conversation, done.change?.changeSeq);
    return toMessage(done.message);
  }

  /** The caller has read everything up to this message (and so received it). */
  async markRead(callerId: string, messageId: string): Promise<{ conversationId: string; seq: number }> {
    const { message } = await this.visibleMessage(callerId, messageId);
    await this.markReadUpTo(callerId, message.conversationId, message.seq);
    return { conversationId: message.conversationId, seq: message.seq };
  }

  /** Cumulative read mark; the senders of the newly read messages hear of it. */
  async markReadUpTo(userId: string, conversationId: string, seq: number, originSessionId?: string): Promise<void> {
    // A channel's reads move reader counts; its admins hear of no one's reads.
    if (this.deps.channels && (await this.isChannel(conversationId))) {
      return this.deps.channels.markRead(userId, conversationId, seq);
    }
    const before = await this.deps.conversations.membership(conversationId, userId);
    if (!isCurrent(before)) throw new ChatError('not_found', 'conversation not found');
    const after = await this.deps.conversations.advanceWatermarks(conversationId, userId, { read: seq }, this.now());
    if (after && after.readSeq > before.readSeq) {
      await this.announceReceipt('read', conversationId, userId, before.readSeq, after.readSeq, originSessionId);
    }
  }

  /**
   * A device acknowledged every message up to `seq` (cumulative). Acks are per
   * device; the member's delivered watermark is the furthest any device got.
   */
  async acknowledgeDelivery(userId: string, deviceId: string, conversationId: string, seq: number): Promise<void> {
    // A channel keeps no device cursor: its members catch up by `sync` or history, not an outbox.
    if (await this.isChannel(conversationId)) {
      if (!(await this.deps.conversations.membership(conversationId, userId))) {
        throw new ChatError('not_found', 'conversation not found');
      }
      return;
    }
    const move = await this.deps.delivery.ackDelivery(userId, deviceId, conversationId, seq, this.now());
    if (!move) throw new ChatError('not_found', 'conversation not found');
    if (move.deliveredSeq > move.previousDeliveredSeq) {
      await this.announceReceipt('delivered', conversationId, userId, move.previousDeliveredSeq, move.deliveredSeq);
    }
  }

  private async announceReceipt(
    kind: 'delivered' | 'read',
    conversationId: string,
    userId: string,
    fromSeq: number,
    toSeq: number,
    originSessionId?: string,
  ): Promise<void> {
    const senders = await this.deps.messages.sendersBetween(conversationId, fromSeq, toSeq);
    // The user's own other devices hear of reads too, so unread counts agree across devices.
    const notifyUserIds = [...new Set(kind === 'read' ? [...senders, userId] : senders)].filter(
      (id) => kind === 'read' || id !== userId,
    );
    if (notifyUserIds.length === 0) return;
    this.deps.events.emit({
      type: 'receipt',
      kind,
      conversationId,
      userId,
      seq: toSeq,
      notifyUserIds,
      ...(originSessionId !== undefined ? { originSessionId } : {}),
    });
  }

  private emitUpdated(message: MessageRecord, conversation: ConversationRecord, changeSeq?: number): void {
    const recipientIds = conversation.members.filter((m) => canSee(m, message.seq)).map((m) => m.userId);
    this.deps.events.emit({
      type: 'message.updated',
      message,
      recipientIds,
      ...(conversation.type === 'channel' ? { channel: true as const } : {}),
      ...(changeSeq !== undefined ? { changeSeq } : {}),
    });
  }

  /** One receipt per other current member who could see the message. */
  async receipts(callerId: string, messageId: string): Promise<Receipt[]> {
    const { message, conversation } = await this.visibleMessage(callerId, messageId);
    // A channel has reader counts for its admins (GET /channels/{id}/readers), no per-member receipts.
    if (conversation.type === 'channel') return [];
    return conversation.members
      .filter((m) => m.userId !== message.senderId && canSee(m, message.seq))
      .map((m) => receiptFor(message.seq, m));
  }

  async history(
    callerId: string,
    conversationId: string,
    options: { limit: number; before?: number; after?: number },
  ): Promise<{ messages: Message[]; hasMore: boolean }> {
    const membership = await requireReader(this.deps.conversations, conversationId, callerId);
    const conversation = await this.deps.conversations.byId(conversationId);
    if (!conversation) throw new ChatError('not_found', 'conversation not found');
    const page = await this.deps.messages.page(
      conversationId,
      visibleWindow(membership, conversation.lastSeq),
      options,
    );
    const messages = page.messages.map(toMessage);
    const previews = await this.deps.previews?.forMessages(page.messages);
    if (previews?.size) {
      for (const message of messages) {
        const preview = previews.get(message.id);
        if (preview) message.preview = preview;
      }
    }
    const reactions = await this.deps.changes?.summaries(
      messages.map((m) => m.id),
      callerId,
    );
    // Only messages with reactions carry the field: a message without any reads as the one sent.
    for (const message of messages) {
      const summary = reactions?.get(message.id);
      if (summary) message.reactions = summary;
    }
    return { messages, hasMore: page.hasMore };
  }

  async search(
    callerId: string,
    query: string,
    options: { conversationId?: string; limit: number; cursor?: string },
  ): Promise<{ messages: Message[]; nextCursor: string | null }> {
    if (options.conversationId) await requireReader(this.deps.conversations, options.conversationId, callerId);
    // One extra hit tells whether another page exists.
    const hits = await this.deps.messages.search(callerId, query, { ...options, limit: options.limit + 1 });
    const page = hits.slice(0, options.limit);
    const last = page.at(-1);
    return {
      messages: page.map((hit) => toMessage(hit.message)),
      nextCursor: hits.length > options.limit && last ? last.cursor : null,
    };
  }

  /** A message the caller may see (current or past member within its window), or not_found. */
  private async visibleMessage(callerId: string, messageId: string) {
    const message = await this.deps.messages.byId(messageId);
    const conversation = message ? await this.deps.conversations.byId(message.conversationId) : null;
    const membership = conversation ? await this.deps.conversations.membership(conversation.id, callerId) : null;
    if (!message || !conversation || !membership || !canSee(membership, message.seq)) {
      throw new ChatError('not_found', 'message not found');
    }
    if (!isCurrent(membership)) throw new ChatError('forbidden', 'you are no longer a member of this conversation');
    return { message, conversation, membership };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A spent send budget (REST and WebSocket alike) refuses the send. */
function refuseOverLimit(rate: RateDecision | undefined): void {
  if (rate && !rate.allowed) {
    throw new ChatError('rate_limited', 'too many messages; slow down', { retryAfterSeconds: rate.retryAfterSeconds });
  }
}

function checkContent(type: MessageType, content: string, mediaId: string | null): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short content needs no encoding to be measured.
  if (content.length * 3 > LIMITS.messageContentBytes && utf8.encode(content).byteLength > LIMITS.messageContentBytes) {
    throw new ChatError('payload_too_large', `content is limited to ${LIMITS.messageContentBytes} bytes`);
  }
  if (type === 'text' && content.trim().length === 0) {
    throw new ChatError('invalid_request', 'a text message needs content');
  }
  if (type !== 'text' && !mediaId) throw new ChatError('invalid_request', `a ${type} message needs a mediaId`);
}
