/**
 * Which of this node's connections follow which broadcast channels, and the
 * channel side of the fan-out. A channel's message is published once to every
 * node (not routed per reader: it may have 100,000), and each node hands it to
 * the streams of its own connected members.
 *
 * A connection follows its user's channels from the moment they are loaded
 * (right after `hello`): each channel's stream starts at the channel's lastSeq
 * then, so a message stored between that read and the first live one is read
 * from the store when the next one arrives (streams have no gaps). Older
 * messages are not replayed on connect (channels have no outbox): a client
 * reads them with `sync` from its own cursor, or over REST, when it opens the
 * channel.
 */
import type { BusEvent } from '../../bus/bus.js';
import { toConversation, toMessage } from '../../domain/mappers.js';
import type { ServerFrame } from '../../protocol/frames.js';
import type { ChannelStore } from '../../store/channel-store.js';
import type { ConversationRecord, MessageRecord } from '../../store/records.js';
import type { SessionRegistry } from './registry.js';
import type { Session } from './session.js';

export class ChannelFollowers {
  /** channel id → local users following it. */
  private readonly byChannel = new Map<string, Set<string>>();
  /** user id → the channels it follows (users with a local connection only). */
  private readonly byUser = new Map<string, Set<string>>();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly store: ChannelStore,
  ) {}

  /** Whether a local connection follows the channel (then the id is a channel's). */
  isFollowed(conversationId: string): boolean {
    return this.byChannel.has(conversationId);
  }

  /** Starts following the user's channels on this connection. */
  async follow(session: Session): Promise<void> {
    const subscriptions = await this.store.subscriptionsOf(session.userId);
    if (!session.isOpen || !this.registry.hasUser(session.userId)) return;
    for (const { conversationId, lastSeq } of subscriptions) {
      this.add(session.userId, conversationId);
      if (!session.streams.has(conversationId)) session.stream(conversationId, lastSeq);
    }
  }

  /** The user's last connection on this node closed. */
  forget(userId: string): void {
    for (const conversationId of this.byUser.get(userId) ?? []) {
      const users = this.byChannel.get(conversationId);
      users?.delete(userId);
      if (users?.size === 0) this.byChannel.delete(conversationId);
    }
    this.byUser.delete(userId);
  }

  /**
   * Handles the channel side of an event; true when nothing else is left to do
   * (a channel's new or updated message, a membership change).
   */
  take(event: BusEvent): boolean {
    switch (event.type) {
      case 'message.created':
        if (!event.channel) return false;
        for (const session of this.followers(event.message.conversationId)) offer(session, event.message);
        return true;
      case 'message.updated':
        if (!event.channel) return false;
        this.broadcast(event.message.conversationId, { type: 'message:updated', message: toMessage(event.message) });
        return true;
      case 'channel.membership':
        this.membership(event.conversation, event.userIds, event.joined);
        return true;
      case 'conversation.updated':
        // The members list names the admins only: readers hear of settings here.
        if (event.conversation.type === 'channel') {
          const admins = new Set(event.conversation.members.map((m) => m.userId));
          const frame = { type: 'conversation:updated', conversation: toConversation(event.conversation) } as const;
          for (const session of this.followers(event.conversation.id)) {
            if (!admins.has(session.userId)) session.send(frame);
          }
        }
        return false;
      default:
        return false;
    }
  }

  /** After the bus may have missed events: re-read every local user's channels and catch up. */
  async resync(): Promise<void> {
    for (const userId of [...this.byUser.keys()]) {
      const subscriptions = await this.store.subscriptionsOf(userId);
      this.forget(userId);
      if (!this.registry.hasUser(userId)) continue;
      for (const { conversationId, lastSeq } of subscriptions) {
        this.add(userId, conversationId);
        for (const session of this.registry.sessionsOf(userId)) {
          const stream = session.streams.get(conversationId);
          if (stream) await stream.catchUpTo(lastSeq);
          else session.stream(conversationId, lastSeq);
        }
      }
    }
  }

  private membership(conversation: ConversationRecord, userIds: readonly string[], joined: boolean): void {
    const frame: ServerFrame = joined
      ? { type: 'conversation:updated', conversation: toConversation(conversation) }
      : { type: 'conversation:removed', conversationId: conversation.id };
    for (const userId of userIds) {
      if (!this.registry.hasUser(userId)) continue;
      if (joined) this.add(userId, conversation.id);
      else this.remove(userId, conversation.id);
      for (const session of this.registry.sessionsOf(userId)) {
        if (joined && !session.streams.has(conversation.id)) session.stream(conversation.id, conversation.lastSeq);
        if (!joined) session.streams.get(conversation.id)?.end(conversation.lastSeq);
        session.send(frame);
      }
    }
  }

  private *followers(conversationId: string): Iterable<Session> {
    for (const userId of this.byChannel.get(conversationId) ?? []) yield* this.registry.sessionsOf(userId);
  }

  private broadcast(conversationId: string, frame: ServerFrame): void {
    for (const session of this.followers(conversationId)) session.send(frame);
  }

  private add(userId: string, conversationId: string): void {
    let users = this.byChannel.get(conversationId);
    if (!users) {
      users = new Set();
      this.byChannel.set(conversationId, users);
    }
    users.add(userId);
    let channels = this.byUser.get(userId);
    if (!channels) {
      channels = new Set();
      this.byUser.set(userId, channels);
    }
    channels.add(conversationId);
  }

  private remove(userId: string, conversationId: string): void {
    this.byUser.get(userId)?.delete(conversationId);
    const users = this.byChannel.get(conversationId);
    users?.delete(userId);
    if (users?.size === 0) this.byChannel.delete(conversationId);
  }
}

/** A live channel message into the connection's stream; a stream it lacks starts just before it. */
function offer(session: Session, message: MessageRecord): void {
  // Left and joined again: the old stream ended at the departure.
  if (session.streams.get(message.conversationId)?.endsBefore(message.seq)) session.dropStream(message.conversationId);
  session.stream(message.conversationId, message.seq - 1).offer(message);
}
