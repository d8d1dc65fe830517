/**
 * What the bus brings, to this node's sessions that must hear of it: new
 * messages into each recipient session's ordered stream, edits, receipts,
 * membership changes and typing; and presence changes from the tracker.
 */
import type { BusEvent } from '../../bus/bus.js';
import { toConversation, toMessage } from '../../domain/mappers.js';
import type { PresenceSnapshot } from '../../presence/presence.js';
import type { ServerFrame } from '../../protocol/frames.js';
import type { MessageRecord } from '../../store/records.js';
import type { ChangeFeeds } from './changes.js';
import type { ChannelFollowers } from './channel-followers.js';
import type { RealtimeDeps } from './gateway.js';
import type { MemberCache } from './members.js';
import type { SessionRegistry } from './registry.js';
import type { Session } from './session.js';

export class Fanout {
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly members: MemberCache,
    private readonly deps: RealtimeDeps,
    /** Starts a stream the session had no cursor for. */
    private readonly initStream: (session: Session, conversationId: string) => Promise<void>,
    /** Orders and de-duplicates numbered changes per connection (changes.ts). */
    private readonly changeFeeds: ChangeFeeds | null = null,
    /** The channel side of the fan-out (channel-followers.ts). */
    private readonly channels: ChannelFollowers | null = null,
  ) {
    this.unsubscribe = [
      deps.bus.subscribe((event) => this.onEvent(event)),
      deps.presence.onChange((userId, snapshot) => {
        void this.relayPresence(userId, snapshot).catch((error: unknown) =>
          deps.logger.error({ err: error }, 'presence fan-out failed'),
        );
      }),
    ];
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private onEvent(event: BusEvent): void {
    if (this.channels?.take(event)) return;
    switch (event.type) {
      case 'typing': {
        const { conversationId, userId } = event;
        const frame = { type: event.typing ? 'typing:start' : 'typing:stop', conversationId, userId } as const;
        for (const recipientId of event.recipientIds) this.sendTo(recipientId, frame);
        return;
      }
      case 'message.created':
        for (const userId of event.recipientIds) {
          for (const session of this.registry.sessionsOf(userId)) this.offer(session, event.message);
        }
        return;
      case 'message.updated': {
        const { changeSeq } = event;
        const message = toMessage(event.message);
        if (changeSeq === undefined || !this.changeFeeds) {
          const frame = { type: 'message:updated', message } as const;
          for (const userId of event.recipientIds) this.sendTo(userId, frame);
          return;
        }
        const frame = { type: 'message:updated', message, changeSeq } as const;
        this.offerChange(event.recipientIds, message.conversationId, changeSeq, frame);
        return;
      }
      case 'message.reaction': {
        const frame = { type: 'message:reaction', ...event.event } as const;
        if (this.changeFeeds)
          this.offerChange(event.recipientIds, event.event.conversationId, event.event.changeSeq, frame);
        else for (const userId of event.recipientIds) this.sendTo(userId, frame);
        return;
      }
      case 'message.preview': {
        const { conversationId, messageId, seq, preview } = event;
        const frame = { type: 'message:preview', conversationId, messageId, seq, preview } as const;
        for (const userId of event.recipientIds) this.sendTo(userId, frame);
        return;
      }
      case 'receipt': {
        const frame = {
          type: event.kind === 'delivered' ? 'message:delivered' : 'message:read',
          conversationId: event.conversationId,
          userId: event.userId,
          seq: event.seq,
        } as const;
        for (const userId of event.notifyUserIds) this.sendTo(userId, frame);
        if (event.kind === 'read') {
          // The reader's other devices clear their unread badge.
          const read = { type: 'conversation:read', conversationId: event.conversationId, seq: event.seq } as const;
          for (const session of this.registry.sessionsOf(event.userId)) {
            if (session.id !== event.originSessionId) session.send(read);
          }
        }
        return;
      }
      case 'conversation.state':
        this.sendTo(event.userId, { type: 'conversation:state', ...event.state });
        return;
      case 'conversation.pins': {
        const frame = { type: 'conversation:pins', conversationId: event.conversationId, pins: event.pins } as const;
        for (const userId of event.recipientIds) this.sendTo(userId, frame);
        return;
      }
      case 'conversation.updated': {
        const { conversation, removed } = event;
        this.members.set(
          conversation.id,
          conversation.members.map((m) => m.userId),
        );
        for (const { userId, atSeq } of removed) {
          for (const session of this.registry.sessionsOf(userId)) {
            session.streams.get(conversation.id)?.end(atSeq);
            session.send({ type: 'conversation:removed', conversationId: conversation.id });
          }
        }
        const frame = { type: 'conversation:updated', conversation: toConversation(conversation) } as const;
        for (const member of conversation.members) this.sendTo(member.userId, frame);
        return;
      }
    }
  }

  private offer(session: Session, message: MessageRecord): void {
    // A member removed and added back: its old stream ended at the removal and would drop
    // everything. The recipients of a message are the members when it was stored, so one past
    // that end belongs to the new membership, which gets a fresh stream starting at its window.
    if (session.streams.get(message.conversationId)?.endsBefore(message.seq)) {
      session.dropStream(message.conversationId);
    }
    const known = session.streams.has(message.conversationId);
    const stream = session.stream(message.conversationId, null);
    stream.offer(message);
    if (!known && session.replayed) {
      this.initStream(session, message.conversationId).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'could not start a stream'),
      );
    }
  }

  private offerChange(userIds: readonly string[], conversationId: string, changeSeq: number, frame: ServerFrame): void {
    for (const userId of userIds) {
      for (const session of this.registry.sessionsOf(userId)) {
        this.changeFeeds?.offer(session, conversationId, changeSeq, frame);
      }
    }
  }

  private sendTo(userId: string, frame: Parameters<Session['send']>[0]): void {
    for (const session of this.registry.sessionsOf(userId)) session.send(frame);
  }

  /** A typist's start or stop (or its lapse, timed on the typist's node), for the other members' nodes. */
  async relayTyping(conversationId: string, userId: string, typing: boolean): Promise<void> {
    const members = await this.members.get(conversationId);
    const recipientIds = [...members].filter((memberId) => memberId !== userId);
    if (recipientIds.length > 0)
      this.deps.bus.publish({ type: 'typing', conversationId, userId, typing, recipientIds });
  }

  /** A status change, to the online users who share a conversation, as the user's privacy allows. */
  private async relayPresence(userId: string, snapshot: PresenceSnapshot): Promise<void> {
    const { accounts, conversations } = this.deps;
    if (this.registry.isEmpty) return;
    const viewers = (await conversations.peersOf(userId)).filter((id) => this.registry.hasUser(id));
    if (viewers.length === 0) return;
    const target = await accounts.findUser(userId);
    if (!target) return;
    for (const viewerId of viewers) {
      const view = await accounts.presenceAsSeenBy(viewerId, target, snapshot);
      if (view.status === null && view.lastSeen === null) continue;
      this.sendTo(viewerId, { type: 'presence:update', ...view });
    }
  }
}
