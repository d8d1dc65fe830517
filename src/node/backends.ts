/**
 * The backends a node runs on, chosen from its configuration (only here and in
 * node.ts): embedded, SQLite in the data folder with presence, bus and rate
 * limits in process (one node); or scale-out, PostgreSQL shared by every node
 * (DATABASE_URL) and Redis (REDIS_URL) for presence, routing between nodes,
 * typing and rate limits.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Bus } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory.js';
import { RedisBus } from '../bus/redis.js';
import type { ChatConfig } from '../config/config.js';
import type { Observer } from '../observability/fast-histogram.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { MemoryPresence } from '../presence/memory.js';
import { RedisNodeRegistry } from '../presence/nodes.js';
import type { PresenceTimings, PresenceTracker } from '../presence/presence.js';
import { RedisPresence } from '../presence/redis.js';
import { burstRateLimiter } from '../ratelimit/burst.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { memoryRateLimiter } from '../ratelimit/memory.js';
import { redisRateLimiter } from '../ratelimit/redis.js';
import { closeRedis, type ErrorReporter, openRedis, RedisSubscriber } from '../redis/connection.js';
import { openPostgresStorage } from '../store/postgres/index.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';
import { checkDependencies } from './readiness.js';

export interface Backends {
  storage: Storage;
  presence: PresenceTracker;
  bus: Bus;
  loginPerAddress: RateLimiter;
  loginFailuresPerUsername: RateLimiter;
  /** Message sends per user (steady rate with bursts) and group creations per user per hour. */
  messageSends: RateLimiter;
  groupCreations: RateLimiter;
  /** Live nodes (scale-out only, once announce() ran). */
  nodes: RedisNodeRegistry | null;
  /** The command connection (scale-out only): the admin stats exchange between nodes. */
  redis: Redis | null;
  /** Throws NotReadyError naming what does not answer (the store, Redis). */
  checkReady(): Promise<void>;
  /** Enters the node registry once the node listens (scale-out only). */
  announce(address: string): Promise<void>;
  /** Closes the bus and presence, then storage, then the Redis connections. */
  close(): Promise<void>;
  /** What kill -9 leaves: Redis connections dropped with nothing cleaned up; storage closed. */
  abandon(): Promise<void>;
}

export async function openBackends(config: ChatConfig, logger: Logger, metrics: Metrics): Promise<Backends> {
  const storage = await openStorage(config, logger, metrics);
  const timings: PresenceTimings = {
    offlineAfterMs: config.CHAT_HEARTBEAT_TIMEOUT_SECONDS * 1000,
    idleAfterMs: config.CHAT_IDLE_AFTER_SECONDS * 1000,
  };
  if (!config.REDIS_URL) {
    const presence = new MemoryPresence(timings);
    return {
      storage,
      presence,
      bus: new MemoryBus((error) => logger.error({ err: error }, 'bus listener failed')),
      loginPerAddress: memoryRateLimiter('login-ip', config.CHAT_LOGIN_LIMIT_PER_IP, 60),
      loginFailuresPerUsername: memoryRateLimiter('login-user', config.CHAT_LOGIN_LIMIT_PER_USERNAME, 15 * 60),
      ...abuseLimits(config, memoryRateLimiter),
      nodes: null,
      redis: null,
      checkReady: () => checkDependencies([{ name: 'sqlite', check: () => storage.ping() }]),
      announce: async () => {},
      close: async () => {
        await presence.close();
        await storage.close();
      },
      abandon: () => storage.close(),
    };
  }
  try {
    return await openScaleOut(config, config.REDIS_URL, storage, timings, logger);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function openStorage(config: ChatConfig, logger: Logger, metrics: Metrics): Promise<Storage> {
  // One series per operation, found once: a label lookup on every store call showed in the profile.
  const byOperation = new Map<string, Observer>();
  const observe = (operation: string, seconds: number) => {
    let histogram = byOperation.get(operation);
    if (!histogram) {
      histogram = metrics.dbDuration.series({ operation });
      byOperation.set(operation, histogram);
    }
    histogram.observe(seconds);
  };
  if (config.DATABASE_URL) {
    const storage = await openPostgresStorage({
      connectionString: config.DATABASE_URL,
      // Which node holds which connections, in pg_stat_activity.
      applicationName: `chat-node:${config.CHAT_NODE_ID}`,
      onUnavailable: (error) => logger.warn({ err: error }, 'postgres does not answer: calls fail with unavailable'),
      ...(config.CHAT_DATABASE_SCHEMA ? { schema: config.CHAT_DATABASE_SCHEMA } : {}),
      poolSize: config.CHAT_DATABASE_POOL_SIZE,
      observe,
    });
    logger.info({ storage: 'postgres', schema: config.CHAT_DATABASE_SCHEMA ?? null }, 'storage open');
    return storage;
  }
  const path = join(config.CHAT_DATA_DIR, 'chat.db');
  const storage = await openSqliteStorage({ path, observe });
  logger.info({ storage: 'sqlite', path }, 'storage open');
  return storage;
}

async function openScaleOut(
  config: ChatConfig,
  url: string,
  storage: Storage,
  timings: PresenceTimings,
  logger: Logger,
): Promise<Backends> {
  const prefix = config.CHAT_REDIS_PREFIX;
  const nodeId = config.CHAT_NODE_ID;
  const onError: ErrorReporter = (error, what) => logger.warn({ err: error }, `${what} failed`);
  const redis = await openRedis(url, `${prefix}${nodeId}:commands`, onError);
  const connections: { redis: Redis; subscriber?: RedisSubscriber } = { redis };
  const dropRedis = () => {
    connections.subscriber?.redis.disconnect();
    redis.disconnect();
  };
  try {
    const subscriber = await RedisSubscriber.open(url, `${prefix}${nodeId}:subscriber`, onError);
    connections.subscriber = subscriber;
    // Routes Redis lost and a renewal put back: what was routed meanwhile is re-read from the store.
    const late: { bus?: RedisBus } = {};
    const presence = await RedisPresence.open({
      redis,
      subscriber,
      prefix,
      nodeId,
      timings,
      onError,
      onRoutesLost: () => late.bus?.missed(),
    });
    const bus = await RedisBus.open({
      redis,
      subscriber,
      prefix,
      nodeId,
      routes: presence,
      onError,
      beforeGap: async () => {
        await presence.restore();
      },
    });
    late.bus = bus;
    logger.info({ nodeId, prefix }, 'redis connected: presence, routing and rate limits are shared');
    let nodes: RedisNodeRegistry | null = null;
    const backends: Backends = {
      storage,
      presence,
      bus,
      loginPerAddress: redisRateLimiter(redis, prefix, 'login-ip', config.CHAT_LOGIN_LIMIT_PER_IP, 60),
      loginFailuresPerUsername: redisRateLimiter(
        redis,
        prefix,
        'login-user',
        config.CHAT_LOGIN_LIMIT_PER_USERNAME,
        15 * 60,
      ),
      ...abuseLimits(config, (name, points, windowSeconds) =>
        redisRateLimiter(redis, prefix, name, points, windowSeconds),
      ),
      get nodes() {
        return nodes;
      },
      redis,
      checkReady: () =>
        checkDependencies([
          { name: 'postgres', check: () => storage.ping() },
          // Not queued behind a reconnect: a connection that is not ready is down now.
          { name: 'redis', check: () => (redisReady(redis) && redisReady(subscriber.redis) ? redis.ping() : down()) },
        ]),
      announce: async (address) => {
        nodes = await RedisNodeRegistry.register(redis, prefix, { id: nodeId, address, startedAt: now() }, onError);
      },
      close: async () => {
        await bus.close();
        await presence.close();
        await nodes?.close().catch((error: unknown) => onError(error, 'node registry'));
        await storage.close();
        await subscriber.close();
        await closeRedis(redis);
      },
      abandon: async () => {
        nodes?.stop();
        dropRedis();
        await Promise.all([bus.close(), presence.close()]).catch(() => {});
        await storage.close();
      },
    };
    return backends;
  } catch (error) {
    dropRedis();
    throw error;
  }
}

function redisReady(connection: Redis): boolean {
  return connection.status === 'ready';
}

function down(): Promise<never> {
  return Promise.reject(new Error('not connected'));
}

/** The per-user abuse limits (docs/PROTOCOL.md "Limits"), over memory or Redis counters. */
function abuseLimits(
  config: ChatConfig,
  make: (name: string, points: number, windowSeconds: number) => RateLimiter,
): Pick<Backends, 'messageSends' | 'groupCreations'> {
  return {
    messageSends: burstRateLimiter(make, 'send', config.CHAT_MESSAGE_RATE_PER_SECOND, config.CHAT_MESSAGE_RATE_BURST),
    groupCreations: make('group-create', config.CHAT_GROUP_CREATE_PER_HOUR, 3600),
  };
}

function now(): string {
  return new Date().toISOString();
}
