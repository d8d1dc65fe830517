/**
 * Messages: send (idempotent, durable before it answers), edit, delete for
 * everyone, read marks, receipts, history and search.
 */
import type { Message, MessageType, Receipt } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import { LIMITS } from '../protocol/limits.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { StoreError } from '../store/errors.js';
import type { ConversationRecord, MessageRecord } from '../store/records.js';
import type { ConversationStore, DeliveryStore, MediaStore, MessageStore, UserStore } from '../store/stores.js';
import { canSee, isCurrent, requireReader, visibleWindow } from './access.js';
import { type Clock, newId } from './clock.js';
import type { ChatEvents } from './events.js';
import { toMessage } from './mappers.js';
import { mediaMessageType } from './media.js';
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
    const rate = await this.deps.sendLimiter?.consume(senderId);
    if (rate && !rate.allowed) {
      throw new ChatError('rate_limited', 'too many messages; slow down', {
        retryAfterSeconds: rate.retryAfterSeconds,
      });
    }
    const mediaId = input.mediaId ?? null;
    // Without a type, a message with media takes the media's kind.
    const requested = input.type ?? (mediaId ? null : 'text');
    checkContent(requested ?? 'file', input.content, mediaId);
    if (requested === 'text' && mediaId) {
      throw new ChatError('invalid_request', 'a text message carries no media: use type image, video or file');
    }
    const grant = await this.deps.conversations.sendGrant(input.conversationId, senderId);
    if (!grant) throw new ChatError('not_found', 'conversation not found');
    if (grant.type === 'group' && grant.sendPolicy === 'admins' && grant.role !== 'admin') {
      throw new ChatError('forbidden', 'only admins may send in this group');
    }
    if (grant.blockedByPeer) throw new ChatError('forbidden', 'this user does not accept your messages');
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
    try {
      const appended = this.deps.messages.append({
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
      });
      onQueued?.();
      const result = await appended;
      if (result.created) {
        this.deps.events.emit({ type: 'message.created', message: result.message, recipientIds: result.recipientIds });
      } else {
        await this.announceRepeat(result.message);
      }
      return { message: toMessage(result.message), created: result.created };
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
    const edited = await this.deps.messages.edit(messageId, content, this.now());
    if (!edited) throw new ChatError('conflict', 'a deleted message cannot be edited');
    this.emitUpdated(edited, conversation);
    return toMessage(edited);
  }

  /** Deletes for everyone: the sender, or an admin of the group. */
  async delete(callerId: string, messageId: string): Promise<Message> {
    const { message, conversation, membership } = await this.visibleMessage(callerId, messageId);
    const isAdmin = conversation.type === 'group' && membership.role === 'admin';
    if ((message.senderId !== callerId && !isAdmin) || message.type === 'system') {
      throw new ChatError('forbidden', 'only the sender or a group admin may delete a message');
    }
    if (message.deletedAt) return toMessage(message);
    const deleted = await this.deps.messages.softDelete(messageId, this.now());
    if (!deleted) throw new ChatError('not_found', 'message not found');
    this.emitUpdated(deleted, conversation);
    return toMessage(deleted);
  }

  /** The caller has read everything up to this message (and so received it). */
  async markRead(callerId: string, messageId: string): Promise<{ conversationId: string; seq: number }> {
    const { message } = await this.visibleMessage(callerId, messageId);
    await this.markReadUpTo(callerId, message.conversationId, message.seq);
    return { conversationId: message.conversationId, seq: message.seq };
  }

  /** Cumulative read mark; the senders of the newly read messages hear of it. */
  async markReadUpTo(userId: string, conversationId: string, seq: number): Promise<void> {
    const before = await this.deps.conversations.membership(conversationId, userId);
    if (!isCurrent(before)) throw new ChatError('not_found', 'conversation not found');
    const after = await this.deps.conversations.advanceWatermarks(conversationId, userId, { read: seq }, this.now());
    if (after && after.readSeq > before.readSeq) {
      await this.announceReceipt('read', conversationId, userId, before.readSeq, after.readSeq);
    }
  }

  /**
   * A device acknowledged every message up to `seq` (cumulative). Acks are per
   * device; the member's delivered watermark is the furthest any device got.
   */
  async acknowledgeDelivery(userId: string, deviceId: string, conversationId: string, seq: number): Promise<void> {
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
  ): Promise<void> {
    const senders = await this.deps.messages.sendersBetween(conversationId, fromSeq, toSeq);
    // The user's own other devices hear of reads too, so unread counts agree across devices.
    const notifyUserIds = [...new Set(kind === 'read' ? [...senders, userId] : senders)].filter(
      (id) => kind === 'read' || id !== userId,
    );
    if (notifyUserIds.length === 0) return;
    this.deps.events.emit({ type: 'receipt', kind, conversationId, userId, seq: toSeq, notifyUserIds });
  }

  private emitUpdated(message: MessageRecord, conversation: ConversationRecord): void {
    const recipientIds = conversation.members.filter((m) => canSee(m, message.seq)).map((m) => m.userId);
    this.deps.events.emit({ type: 'message.updated', message, recipientIds });
  }

  /** One receipt per other current member who could see the message. */
  async receipts(callerId: string, messageId: string): Promise<Receipt[]> {
    const { message, conversation } = await this.visibleMessage(callerId, messageId);
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
    return { messages: page.messages.map(toMessage), hasMore: page.hasMore };
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
