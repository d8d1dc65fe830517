/**
 * Assembles one chat node from its configuration: the only place that chooses
 * implementations. Storage is embedded SQLite under the data folder.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveJwtSecret } from '../auth/secret.js';
import { TokenService } from '../auth/tokens.js';
import type { ChatConfig } from '../config/config.js';
import { Accounts } from '../domain/accounts.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { Conversations } from '../domain/conversations.js';
import { ChatEvents } from '../domain/events.js';
import { Messaging } from '../domain/messages.js';
import type { App } from '../gateway/http/deps.js';
import { buildHttpServer } from '../gateway/http/server.js';
import { registerWebSocketEndpoint } from '../gateway/ws/endpoint.js';
import { RealtimeGateway } from '../gateway/ws/gateway.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { MemoryPresence } from '../presence/memory.js';
import { memoryRateLimiter } from '../ratelimit/memory.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';

export interface ChatNode {
  app: App;
  /** http://host:port the node listens on. */
  url: string;
  logger: Logger;
  metrics: Metrics;
  storage: Storage;
  events: ChatEvents;
  gateway: RealtimeGateway;
  /** Stops accepting, lets in-flight requests finish, flushes storage. */
  close(): Promise<void>;
}

export interface NodeOptions {
  logger?: Logger;
  clock?: Clock;
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

  const databasePath = join(config.CHAT_DATA_DIR, 'chat.db');
  const storage = await openSqliteStorage({
    path: databasePath,
    observe: (operation, seconds) => metrics.dbDuration.observe({ operation }, seconds),
  });
  logger.info({ storage: 'sqlite', path: databasePath }, 'storage open');

  const events = new ChatEvents((error) => logger.error({ err: error }, 'event listener failed'));
  events.subscribe((event) => {
    if (event.type === 'message.created') metrics.messagesStored.inc();
  });

  const tokens = new TokenService(secret.secret, config.CHAT_TOKEN_TTL_SECONDS);
  const presence = new MemoryPresence({
    offlineAfterMs: config.CHAT_HEARTBEAT_TIMEOUT_SECONDS * 1000,
    idleAfterMs: config.CHAT_IDLE_AFTER_SECONDS * 1000,
  });
  const accounts = new Accounts({
    users: storage.users,
    tokens,
    presence,
    clock,
    loginPerAddress: memoryRateLimiter('login-ip', config.CHAT_LOGIN_LIMIT_PER_IP, 60),
    loginFailuresPerUsername: memoryRateLimiter('login-user', config.CHAT_LOGIN_LIMIT_PER_USERNAME, 15 * 60),
  });
  const conversations = new Conversations({
    users: storage.users,
    conversations: storage.conversations,
    events,
    clock,
    maxGroupMembers: config.CHAT_MAX_GROUP_MEMBERS,
  });
  const messaging = new Messaging({
    users: storage.users,
    conversations: storage.conversations,
    messages: storage.messages,
    delivery: storage.delivery,
    events,
    clock,
  });

  let draining = false;
  const app = buildHttpServer(
    {
      accounts,
      conversations,
      messaging,
      metrics,
      checkReady: () => storage.ping(),
      isDraining: () => draining,
    },
    logger,
    { trustProxy: config.CHAT_TRUST_PROXY },
  );

  const gateway = new RealtimeGateway({
    accounts,
    conversations,
    messaging,
    conversationStore: storage.conversations,
    messageStore: storage.messages,
    delivery: storage.delivery,
    presence,
    events,
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

  const address = await app.listen({ port: config.PORT, host: config.HOST });
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');
  logger.info({ url }, 'chat node listening');

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    logger,
    metrics,
    storage,
    events,
    gateway,
    close() {
      closing ??= (async () => {
        draining = true;
        await gateway.drain();
        await app.close();
        presence.close();
        await storage.close();
        logger.info('chat node stopped');
      })();
      return closing;
    },
  };
}
