/**
 * The real-time gateway of one node: it owns the open sessions, replays each
 * device's outbox on connect, fans durable events out to sessions, relays
 * typing and presence, and drains on shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Accounts } from '../../domain/accounts.js';
import type { Clock } from '../../domain/clock.js';
import type { Conversations } from '../../domain/conversations.js';
import type { ChatEvents } from '../../domain/events.js';
import type { Messaging } from '../../domain/messages.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PresenceTracker } from '../../presence/presence.js';
import { CLOSE_CODES } from '../../protocol/frames.js';
import type { ConversationStore, DeliveryStore, MessageStore } from '../../store/stores.js';
import { Fanout } from './fanout.js';
import { FrameHandlers } from './handlers.js';
import { MemberCache } from './members.js';
import { SessionRegistry } from './registry.js';
import { Session, type SessionLimits } from './session.js';
import type { StreamSource } from './stream.js';
import { TypingRelay } from './typing.js';

export interface RealtimeOptions extends SessionLimits {
  maxConnectionsPerUser: number;
  maxConnectionsPerAddress: number;
  /** How long a typing:start lasts without renewal. */
  typingLapseMs: number;
  /** Typing frames a connection may send per 10 s before they are refused. */
  typingFramesPer10s: number;
  /** Malformed frames a connection may send per minute before it is closed with 1008. */
  badFramesPerMinute: number;
}

export interface RealtimeDeps {
  accounts: Accounts;
  conversations: Conversations;
  messaging: Messaging;
  conversationStore: ConversationStore;
  messageStore: MessageStore;
  delivery: DeliveryStore;
  presence: PresenceTracker;
  events: ChatEvents;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  options: RealtimeOptions;
}

export interface ClientIdentity {
  userId: string;
  deviceId: string;
  address: string;
  /** When the token expires (ms since the epoch). */
  expiresAt: number;
}

export type Refusal = { status: 429 | 503; reason: string } | null;

export class RealtimeGateway {
  readonly registry = new SessionRegistry();
  private readonly fanout: Fanout;
  private readonly handlers: FrameHandlers;
  private readonly typing: TypingRelay;
  private readonly members: MemberCache;
  private readonly addresses = new WeakMap<Session, string>();
  private draining = false;

  constructor(private readonly deps: RealtimeDeps) {
    this.members = new MemberCache(deps.conversationStore);
    this.typing = new TypingRelay((conversationId, userId, typing) => {
      void this.fanout.relayTyping(conversationId, userId, typing);
    }, deps.options.typingLapseMs);
    this.fanout = new Fanout(this.registry, this.members, deps, (session, conversationId) =>
      this.initStream(session, conversationId),
    );
    this.handlers = new FrameHandlers(deps, this.typing, this.members, (session, ref) => this.replay(session, ref));
  }

  /** Why a new connection must be refused at the handshake, or null to accept it. */
  admit(userId: string, address: string): Refusal {
    if (this.draining) return { status: 503, reason: 'the server is shutting down' };
    if (this.registry.countForUser(userId) >= this.deps.options.maxConnectionsPerUser) {
      return { status: 429, reason: 'too many connections for this user' };
    }
    if (this.registry.countForAddress(address) >= this.deps.options.maxConnectionsPerAddress) {
      return { status: 429, reason: 'too many connections from this address' };
    }
    return null;
  }

  /** Takes over an upgraded socket: hello, outbox replay, then sync:done. */
  attach(socket: WebSocket, client: ClientIdentity): Session {
    const { userId, deviceId, address } = client;
    const { presence, metrics, logger, options } = this.deps;
    const session = new Session(randomUUID(), userId, deviceId, socket, options, {
      source: (conversationId) => this.source(conversationId),
      onSent: (s, message) => {
        this.deps.delivery.markSent(s.userId, message.conversationId, message.seq).catch((error: unknown) => {
          logger.warn({ err: error }, 'could not record the sent watermark');
        });
      },
      onError: (error) => logger.error({ err: error }, 'stream failed'),
      onSlowConsumer: () => metrics.slowConsumerDisconnects.inc(),
      onClose: (s, clean) => this.detach(s, clean),
    });
    session.expireAt(client.expiresAt);
    this.registry.add(session, address);
    this.addresses.set(session, address);
    metrics.wsConnections.inc();
    presence.connect(userId, session.id);
    socket.on('message', (data, isBinary) => this.handlers.handle(session, data, isBinary));
    session.send({
      type: 'hello',
      userId,
      deviceId,
      serverTime: this.deps.clock.now().toISOString(),
      heartbeatSeconds: Math.round(options.heartbeatTimeoutMs / 2000),
    });
    void this.replay(session);
    return session;
  }

  /** Stops taking work, lets in-flight sends finish and be acknowledged, closes every session (1001). */
  async drain(): Promise<void> {
    this.draining = true;
    this.handlers.stopAccepting();
    await this.handlers.settled();
    for (const session of [...this.registry.all()]) session.close(CLOSE_CODES.goingAway, 'server shutting down');
    this.typing.close();
    this.fanout.close();
  }

  /**
   * Replays every conversation this device has not acknowledged, one
   * conversation at a time (memory stays bounded), then says sync:done.
   */
  private async replay(session: Session, ref?: string): Promise<void> {
    try {
      const heads = await this.deps.delivery.openDevice(session.userId, session.deviceId, this.now());
      for (const head of heads) {
        if (!session.isOpen) return;
        await session.stream(head.conversationId, null).resumeFrom(head.afterSeq, head.lastSeq);
      }
      // Live messages of conversations the outbox did not name (joined meanwhile) start at the join.
      for (const [conversationId, stream] of session.streams) {
        if (stream.position === null) await this.initStream(session, conversationId);
      }
      session.replayed = true;
      session.send(ref === undefined ? { type: 'sync:done' } : { type: 'sync:done', ref });
    } catch (error) {
      this.deps.logger.error({ err: error, userId: session.userId }, 'replay failed');
      session.close(CLOSE_CODES.goingAway, 'replay failed; reconnect');
    }
  }

  /** A conversation this session had no cursor for: it starts where the member's window starts. */
  private async initStream(session: Session, conversationId: string): Promise<void> {
    const membership = await this.deps.conversationStore.membership(conversationId, session.userId);
    const stream = session.streams.get(conversationId);
    if (!membership || !stream || stream.position !== null) return;
    if (membership.visibleToSeq !== null) stream.end(membership.visibleToSeq);
    const conversation = await this.deps.conversationStore.byId(conversationId);
    await stream.resumeFrom(membership.visibleFromSeq - 1, conversation?.lastSeq ?? 0);
  }

  private source(conversationId: string): StreamSource {
    return {
      readAfter: async (afterSeq, toSeq, limit) =>
        (
          await this.deps.messageStore.page(
            conversationId,
            { fromSeq: afterSeq + 1, toSeq },
            { limit, after: afterSeq },
          )
        ).messages,
    };
  }

  private detach(session: Session, clean: boolean): void {
    const address = this.addresses.get(session) ?? '';
    this.registry.remove(session, address);
    this.deps.metrics.wsConnections.dec();
    this.deps.presence.disconnect(session.userId, session.id, clean);
    if (!this.registry.hasUser(session.userId)) this.typing.stopAll(session.userId);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
