/**
 * The real-time gateway of one node: it owns the open sessions, replays each
 * device's outbox on connect, fans out what the bus brings to sessions, relays
 * typing and presence, resyncs from the store after a bus gap, and drains on
 * shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Bus } from '../../bus/bus.js';
import type { Accounts } from '../../domain/accounts.js';
import type { Clock } from '../../domain/clock.js';
import type { Conversations } from '../../domain/conversations.js';
import type { Messaging } from '../../domain/messages.js';
import type { Reactions } from '../../domain/reactions.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PresenceTracker } from '../../presence/presence.js';
import { CLOSE_CODES } from '../../protocol/frames.js';
import type { ChannelStore } from '../../store/channel-store.js';
import type { ConversationStore, DeliveryStore, MessageStore } from '../../store/stores.js';
import type { AdminFrameHandler } from './admin.js';
import { CatchUp } from './catchup.js';
import { ChangeFeeds } from './changes.js';
import { ChannelFollowers } from './channel-followers.js';
import { ExpirySchedule } from './expiries.js';
import { Fanout } from './fanout.js';
import { FrameHandlers } from './handlers.js';
import { MemberCache } from './members.js';
import { SessionRegistry } from './registry.js';
import { SentMarks } from './sent-marks.js';
import { Session, type SessionLimits } from './session.js';
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
  /** Where the domain's events and typing notices arrive from (this node's and other nodes'). */
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  options: RealtimeOptions;
  /** The admin frames (src/admin/); without it they are refused. */
  admin?: AdminFrameHandler;
  /** Reactions and the change stream (src/domain/reactions.ts); without it message:react is refused. */
  reactions?: Reactions;
  /** Broadcast channels' membership (channel-followers.ts); without it no connection follows a channel. */
  channels?: ChannelStore;
}

export interface ClientIdentity {
  userId: string;
  deviceId: string;
  address: string;
  /** When the token expires (ms since the epoch). */
  expiresAt: number;
  /** Gets no chat traffic, replays no outbox, does not count for presence. */
  observer?: boolean;
}

export type Refusal = { status: 429 | 503; reason: string } | null;

export class RealtimeGateway {
  readonly registry = new SessionRegistry();
  private readonly fanout: Fanout;
  private readonly handlers: FrameHandlers;
  private readonly typing: TypingRelay;
  private readonly members: MemberCache;
  private readonly catchUp: CatchUp;
  private readonly changeFeeds: ChangeFeeds | null;
  private readonly channels: ChannelFollowers | null;
  /** What a connection was admitted with, for its release when it closes. */
  private readonly connections = new WeakMap<Session, { address: string; expiresAt: number }>();
  /** Each connection closes with 4401 when its token expires (log in again). */
  private readonly expiries = new ExpirySchedule<Session>((session) =>
    session.close(CLOSE_CODES.unauthorized, 'token expired'),
  );
  private readonly sentMarks: SentMarks;
  private readonly stopGaps: () => void;
  private draining = false;

  constructor(private readonly deps: RealtimeDeps) {
    this.sentMarks = new SentMarks(deps.delivery, 100, (error) =>
      deps.logger.warn({ err: error }, 'could not record the sent watermark'),
    );
    this.members = new MemberCache(deps.conversationStore);
    this.catchUp = new CatchUp(deps);
    this.channels = deps.channels ? new ChannelFollowers(this.registry, deps.channels) : null;
    this.changeFeeds = deps.reactions
      ? new ChangeFeeds(deps.reactions, (error) => deps.logger.error({ err: error }, 'change stream failed'))
      : null;
    this.typing = new TypingRelay((conversationId, userId, typing) => {
      this.fanout.relayTyping(conversationId, userId, typing).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'typing relay failed');
      });
    }, deps.options.typingLapseMs);
    this.fanout = new Fanout(
      this.registry,
      this.members,
      deps,
      (session, conversationId) => this.catchUp.initStream(session, conversationId),
      this.changeFeeds,
      this.channels,
    );
    this.handlers = new FrameHandlers(
      deps,
      this.typing,
      this.members,
      (session, ref) => this.catchUp.replay(session, ref),
      this.changeFeeds,
    );
    this.stopGaps = deps.bus.onGap(() => void this.resync());
  }

  get metrics(): Metrics {
    return this.deps.metrics;
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
    const session = new Session(
      randomUUID(),
      userId,
      deviceId,
      socket,
      options,
      {
        source: (conversationId) => this.catchUp.source(conversationId),
        onSent: (s, message, replayed) => {
          // A channel keeps no sent watermarks: 100,000 readers would write one each per message.
          if (!this.channels?.isFollowed(message.conversationId)) {
            this.sentMarks.mark(s.userId, message.conversationId, message.seq);
          }
          metrics.delivered(message.createdAt, replayed);
        },
        onError: (error) => logger.error({ err: error }, 'stream failed'),
        onSlowConsumer: () => metrics.slowConsumerDisconnects.inc(),
        onClose: (s, clean) => this.detach(s, clean),
      },
      client.observer ?? false,
    );
    this.expiries.add(session, client.expiresAt);
    this.registry.add(session, address);
    this.connections.set(session, { address, expiresAt: client.expiresAt });
    metrics.wsConnections.inc();
    socket.on('message', (data, isBinary) => this.handlers.handle(session, data, isBinary));
    session.send({
      type: 'hello',
      userId,
      deviceId,
      serverTime: this.deps.clock.now().toISOString(),
      heartbeatSeconds: Math.round(options.heartbeatTimeoutMs / 2000),
    });
    if (session.observer) {
      session.replayed = true;
      session.send({ type: 'sync:done' });
      return session;
    }
    // Registered before the replay reads the store: what is stored later is routed to this node.
    const registered = presence.connect(userId, session.id).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not register the connection');
    });
    void registered.then(() => this.catchUp.replay(session));
    this.channels?.follow(session).catch((error: unknown) => {
      logger.warn({ err: error }, "could not follow the user's channels");
    });
    return session;
  }

  /** The bus may have missed events: every session catches up from the store. */
  async resync(): Promise<void> {
    this.members.clear();
    this.deps.metrics.busResyncs.inc();
    this.deps.logger.info({ sessions: this.registry.size }, 'resyncing sessions from the store');
    await this.catchUp.resync(this.registry.all());
    await this.channels?.resync();
    await this.changeFeeds?.catchUp(this.registry.all());
  }

  /** Stops taking work, lets in-flight sends finish and be acknowledged, closes every session (1001). */
  async drain(): Promise<void> {
    this.draining = true;
    this.handlers.stopAccepting();
    await this.handlers.settled();
    for (const session of [...this.registry.all()]) session.close(CLOSE_CODES.goingAway, 'server shutting down');
    await this.sentMarks.flush();
    this.typing.close();
    this.expiries.close();
    this.fanout.close();
    this.stopGaps();
  }

  private detach(session: Session, clean: boolean): void {
    const { address, expiresAt } = this.connections.get(session) ?? { address: '', expiresAt: 0 };
    this.expiries.delete(session, expiresAt);
    this.registry.remove(session, address);
    this.deps.metrics.wsConnections.dec();
    if (session.observer) return;
    this.deps.presence.disconnect(session.userId, session.id, clean);
    if (!this.registry.hasUser(session.userId)) {
      this.typing.stopAll(session.userId);
      this.channels?.forget(session.userId);
    }
  }
}
