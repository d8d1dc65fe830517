/**
 * Assembles one chat node from its configuration: the only place that chooses
 * implementations (the backends in backends.ts: embedded SQLite and in-process
 * presence and bus, or PostgreSQL and Redis shared by several nodes).
 */
import { mkdir } from 'node:fs/promises';
import { createOperations } from '../admin/assemble.js';
import { resolveJwtSecret } from '../auth/secret.js';
import { TokenService } from '../auth/tokens.js';
import type { ChatConfig } from '../config/config.js';
import { Accounts } from '../domain/accounts.js';
import { Channels } from '../domain/channels.js';
import { ChatStates } from '../domain/chat-states.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { Conversations } from '../domain/conversations.js';
import { ChatEvents } from '../domain/events.js';
import { Messaging } from '../domain/messages.js';
import { PinnedMessages } from '../domain/pinned-messages.js';
import { Reactions } from '../domain/reactions.js';
import type { App } from '../gateway/http/deps.js';
import { buildHttpServer } from '../gateway/http/server.js';
import { registerStaticClient } from '../gateway/http/static.js';
import { registerWebSocketEndpoint } from '../gateway/ws/endpoint.js';
import { RealtimeGateway } from '../gateway/ws/gateway.js';
import { openMediaService } from '../media/assemble.js';
import type { MediaService } from '../media/service.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { countRefusals } from '../observability/rate-limits.js';
import type { RedisNodeRegistry } from '../presence/nodes.js';
import { openLinkPreviews } from '../previews/assemble.js';
import type { LinkPreviews } from '../previews/service.js';
import { openPush, type PushRuntime } from '../push/assemble.js';
import type { ConversationStore, MessageStore, Storage } from '../store/stores.js';
import { openBackends } from './backends.js';

export interface ChatNode {
  app: App;
  /** http://host:port the node listens on. */
  url: string;
  logger: Logger;
  metrics: Metrics;
  storage: Storage;
  events: ChatEvents;
  gateway: RealtimeGateway;
  /** Uploads, downloads and the orphan sweep (tests call media.sweep(now)). */
  media: MediaService;
  /** Push notifications: the service, the queue's worker, the providers. */
  push: PushRuntime;
  /** Link previews (src/previews); null when CHAT_LINK_PREVIEWS=off. */
  previews: LinkPreviews | null;
  /** The live nodes of a scale-out deployment; null when embedded. */
  nodes: RedisNodeRegistry | null;
  /** Stops accepting, lets in-flight requests finish, flushes storage; Redis connections close last. */
  close(): Promise<void>;
  /** For tests: stops as kill -9 would, cleaning nothing up (Redis entries expire on their own). */
  kill(): Promise<void>;
}

export interface NodeOptions {
  logger?: Logger;
  clock?: Clock;
  /** For the chaos tool's negative control only (bench/chaos/unsafe-ack.ts): wraps the send path's store. */
  wrapMessageStore?: (messages: MessageStore, conversations: ConversationStore) => MessageStore;
}

export async function startNode(config: ChatConfig, options: NodeOptions = {}): Promise<ChatNode> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();

  await mkdir(config.CHAT_DATA_DIR, { recursive: true });
  const secret = await resolveJwtSecret(config.CHAT_JWT_SECRET, config.CHAT_DATA_DIR);
  if (secret.source === 'generated') {
    logger.warn({ path: secret.path }, 'CHAT_JWT_SECRET not set: generated a token secret in the data folder');
  } else if (secret.source === 'file') {
    logger.info({ path: secret.path }, 'CHAT_JWT_SECRET not set: using the token secret from the data folder');
  }

  const backends = await openBackends(config, logger, metrics);
  const { storage, presence, bus } = backends;
  const media = await openMediaService(config, storage.media, clock, logger);

  const events = new ChatEvents((error) => logger.error({ err: error }, 'event listener failed'));
  events.subscribe((event) => {
    if (event.type === 'message.created' && !event.repeat) metrics.messagesStored.inc();
  });
  // What the gateway fans out travels on the bus, to this node and the others.
  events.subscribe((event) => bus.publish(event));

  const tokens = new TokenService(secret.secret, config.CHAT_TOKEN_TTL_SECONDS);
  const accounts = new Accounts({
    users: storage.users,
    tokens,
    presence,
    clock,
    loginPerAddress: countRefusals(backends.loginPerAddress, metrics.rateLimited.loginPerAddress),
    loginFailuresPerUsername: countRefusals(backends.loginFailuresPerUsername, metrics.rateLimited.loginPerUsername),
  });
  const conversations = new Conversations({
    users: storage.users,
    conversations: storage.conversations,
    events,
    clock,
    maxGroupMembers: config.CHAT_MAX_GROUP_MEMBERS,
    groupCreations: backends.groupCreations,
    mentions: storage.mentions,
  });
  const channels = new Channels({
    users: storage.users,
    conversations: storage.conversations,
    channels: storage.channels,
    events,
    clock,
    maxChannelMembers: config.CHAT_MAX_CHANNEL_MEMBERS,
    creations: backends.groupCreations,
  });
  const previews = openLinkPreviews({ config, storage, events, clock, logger, metrics });
  const messaging = new Messaging({
    channels,
    users: storage.users,
    conversations: storage.conversations,
    messages: options.wrapMessageStore?.(storage.messages, storage.conversations) ?? storage.messages,
    sendLimiter: backends.messageSends,
    delivery: storage.delivery,
    media: storage.media,
    mentions: storage.mentions,
    ...(previews ? { previews } : {}),
    changes: storage.changes,
    events,
    clock,
  });
  const reactions = new Reactions({
    conversations: storage.conversations,
    messages: storage.messages,
    changes: storage.changes,
    events,
    clock,
  });
  const push = await openPush({ config, storage, events, clock, logger, metrics });
  // Pins and archive: listeners on the events (a new message unarchives, a deletion unpins).
  const pinErrors = (error: unknown) => logger.error({ err: error }, 'pins: follow-up of an event failed');
  const chatStates = new ChatStates({
    pins: storage.pins,
    conversationStore: storage.conversations,
    conversations,
    events,
    clock,
    onError: pinErrors,
  });
  const pinnedMessages = new PinnedMessages({
    pins: storage.pins,
    users: storage.users,
    conversations: storage.conversations,
    messages: storage.messages,
    sendLimiter: backends.messageSends,
    events,
    clock,
    onError: pinErrors,
  });

  let draining = false;
  const app = buildHttpServer(
    {
      accounts,
      conversations,
      messaging,
      chatStates,
      pinnedMessages,
      channels,
      media,
      ...(previews ? { previews } : {}),
      reactions,
      metrics,
      push: push.service,
      checkReady: () => backends.checkReady(),
      isDraining: () => draining,
    },
    logger,
    { trustProxy: config.CHAT_TRUST_PROXY, allowedOrigins: config.CHAT_ALLOWED_ORIGINS },
  );

  // Metric sources, presence counts and the admin dashboard's service (src/admin/).
  const operations = createOperations({
    nodeId: config.CHAT_NODE_ID,
    redisPrefix: config.CHAT_REDIS_PREFIX,
    statsIntervalMs: config.CHAT_ADMIN_STATS_INTERVAL_MS,
    outboxScanMs: config.CHAT_OUTBOX_SCAN_SECONDS * 1000,
    store: storage.admin,
    pool: storage.poolStats?.bind(storage),
    metrics,
    presence,
    sessions: () => gateway.registry,
    redis: backends.redis,
    nodes: () => backends.nodes,
    logger,
  });
  const gateway = new RealtimeGateway({
    admin: operations.admin,
    accounts,
    conversations,
    messaging,
    reactions,
    channels: storage.channels,
    conversationStore: storage.conversations,
    messageStore: storage.messages,
    delivery: storage.delivery,
    presence,
    bus,
    clock,
    logger,
    metrics,
    options: {
      maxConnectionsPerUser: config.CHAT_MAX_CONNECTIONS_PER_USER,
      maxConnectionsPerAddress: config.CHAT_MAX_CONNECTIONS_PER_IP,
      maxBufferedBytes: config.CHAT_WS_MAX_BUFFERED_BYTES,
      replayLowWaterBytes: Math.min(256 * 1024, config.CHAT_WS_MAX_BUFFERED_BYTES / 4),
      heartbeatTimeoutMs: config.CHAT_HEARTBEAT_TIMEOUT_SECONDS * 1000,
      typingLapseMs: config.CHAT_TYPING_LAPSE_MS,
      typingFramesPer10s: 20,
      badFramesPerMinute: 20,
    },
  });
  registerWebSocketEndpoint(app, gateway, accounts, {
    allowedOrigins: config.CHAT_ALLOWED_ORIGINS,
    compression: config.CHAT_WS_COMPRESSION,
  });
  operations.start(app, accounts);
  // Last: the web client's catch-all yields to every API route above.
  registerStaticClient(app);

  const address = await app.listen({ port: config.PORT, host: config.HOST, backlog: config.CHAT_LISTEN_BACKLOG });
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');
  logger.info({ url }, 'chat node listening');
  await backends.announce(url);
  push.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    logger,
    metrics,
    storage,
    events,
    gateway,
    media,
    push,
    previews,
    get nodes() {
      return backends.nodes;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        await gateway.drain();
        await app.close();
        await push.close();
        await previews?.close();
        await media.close();
        operations.close();
        await backends.close();
        logger.info('chat node stopped');
      })();
      return closing;
    },
    kill() {
      closing ??= (async () => {
        draining = true;
        push.abandon();
        void previews?.close();
        await media.close();
        operations.close();
        await backends.abandon();
        for (const socket of app.websocketServer.clients) socket.terminate();
        await app.close();
      })();
      return closing;
    },
  };
}
