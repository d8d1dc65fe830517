/**
 * Prometheus metrics of one node. Each node owns its registry (several nodes may
 * share a process in tests), plus Node's default process metrics (heap, RSS,
 * GC, event-loop lag under the `chat_` prefix).
 *
 * The message path calls only pre-bound counters and histograms here: no label
 * lookups, no string building, `Date.now()` for milliseconds. What is costly to
 * count (send queues, pool use, outboxes) is read when scraped, from sources
 * the node plugs in once assembled (`sources`).
 *
 * Push notifications (src/push/) register their own metrics on `registry`
 * (`chat_push_*`, src/push/metrics.ts); they are not defined
 * here so that module owns its names.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { EventLoopLag } from './event-loop.js';
import { FastHistogram } from './fast-histogram.js';

/** Read at scrape time; each is optional (a node without PostgreSQL has no pool). */
export interface MetricSources {
  /** Bytes queued on each open WebSocket. */
  sendQueues?: () => Iterable<number>;
  /** Users per presence status, as this node knows them. */
  presence?: () => Readonly<Record<string, number>>;
  /** The database pool: connections open, idle, and callers waiting for one. */
  pool?: () => { total: number; idle: number; waiting: number };
}

export interface RateLimitCounters {
  loginPerAddress: Counter.Internal;
  loginPerUsername: Counter.Internal;
  typing: Counter.Internal;
  connections: Counter.Internal;
}

export interface Metrics {
  registry: Registry;
  sources: MetricSources;
  httpDuration: FastHistogram<'method' | 'route' | 'status'>;
  /** Messages accepted: durably stored, repeats of a clientMsgId not counted. */
  messagesStored: Counter;
  dbDuration: FastHistogram<'operation'>;
  wsConnections: Gauge;
  /** message:new frames written to connections, by path (live, replay). */
  messagesDelivered: Counter<'path'>;
  /** message:new frames written to connections, live ones. */
  deliveredLive: Counter.Internal;
  /** message:new frames written from the store: outbox replay and gap filling. */
  deliveredReplayed: Counter.Internal;
  /** Seconds from stored (createdAt) to written on a connection, live deliveries only. */
  deliveryLatency: FastHistogram;
  /** Seconds from a message:send frame's arrival to its message:ack. */
  ackLatency: FastHistogram;
  slowConsumerDisconnects: Counter;
  typingEvents: Counter;
  rateLimited: RateLimitCounters;
  redisLatency: FastHistogram;
  /** Undelivered messages of the users with the largest outboxes (refreshed by the stats sampler). */
  outboxes: Gauge<'user'>;
  /** Times this node re-read its sessions' conversations from the store after a bus gap. */
  busResyncs: Counter;
  eventLoop: EventLoopLag;
  /** A message:new frame went out: `createdAt` is the message's, `replayed` when read from the store. */
  delivered(createdAt: string, replayed: boolean): void;
  /** Record that a user was active now; the gauge counts users active in the last 5 minutes. */
  markActive(userId: string): void;
  /** Stops the event-loop monitor. */
  close(): void;
}

const ACTIVE_WINDOW_MS = 5 * 60 * 1000;
/** Delivery and ack latency: sub-millisecond on loopback up to seconds under overload. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chat_' });
  const registers = [registry];
  const sources: MetricSources = {};

  const lastActive = new Map<string, number>();
  new Gauge({
    name: 'chat_active_users',
    help: 'Users who made an authenticated request in the last 5 minutes',
    registers,
    collect() {
      const cutoff = Date.now() - ACTIVE_WINDOW_MS;
      for (const [userId, at] of lastActive) if (at < cutoff) lastActive.delete(userId);
      this.set(lastActive.size);
    },
  });
  new Gauge({
    name: 'chat_ws_send_queue_bytes',
    help: 'Bytes queued on this node’s WebSockets: their sum and the largest',
    labelNames: ['stat'],
    registers,
    collect() {
      let total = 0;
      let max = 0;
      for (const bytes of sources.sendQueues?.() ?? []) {
        total += bytes;
        if (bytes > max) max = bytes;
      }
      this.set({ stat: 'total' }, total);
      this.set({ stat: 'max' }, max);
    },
  });
  new Gauge({
    name: 'chat_presence_users',
    help: 'Users by presence status, as this node has heard of them since it started',
    labelNames: ['status'],
    registers,
    collect() {
      const counts = sources.presence?.() ?? {};
      for (const status of ['online', 'idle']) this.set({ status }, counts[status] ?? 0);
    },
  });
  new Gauge({
    name: 'chat_db_pool_connections',
    help: 'PostgreSQL pool of this node: connections open, idle, and callers waiting for one',
    labelNames: ['state'],
    registers,
    collect() {
      const pool = sources.pool?.();
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  const eventLoop = new EventLoopLag();
  new Gauge({
    name: 'chat_event_loop_lag_seconds',
    help: 'Event-loop delay since the previous scrape or stats sample: p50, p99 and max',
    labelNames: ['quantile'],
    registers,
    collect() {
      const lag = eventLoop.peek();
      this.set({ quantile: '0.5' }, lag.p50Ms / 1000);
      this.set({ quantile: '0.99' }, lag.p99Ms / 1000);
      this.set({ quantile: '1' }, lag.maxMs / 1000);
    },
  });

  const delivered = new Counter({
    name: 'chat_messages_delivered_total',
    help: 'message:new frames written to connections: live, or replayed from the store',
    labelNames: ['path'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'chat_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by limit',
    labelNames: ['limit'],
    registers,
  });
  const deliveredLive = delivered.labels('live');
  const deliveredReplayed = delivered.labels('replay');
  const deliveryLatency = new FastHistogram({
    name: 'chat_delivery_latency_seconds',
    help: 'From stored to written on a recipient’s connection (live deliveries)',
    buckets: LATENCY_BUCKETS,
    registers,
  });

  return {
    registry,
    sources,
    httpDuration: new FastHistogram({
      name: 'chat_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    messagesStored: new Counter({
      name: 'chat_messages_stored_total',
      help: 'Messages accepted: durably stored (repeats of a clientMsgId not counted)',
      registers,
    }),
    dbDuration: new FastHistogram({
      name: 'chat_db_operation_duration_seconds',
      help: 'Storage operation latency',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    wsConnections: new Gauge({
      name: 'chat_ws_connections',
      help: 'Open WebSocket connections on this node',
      registers,
    }),
    messagesDelivered: delivered,
    deliveredLive,
    deliveredReplayed,
    deliveryLatency,
    ackLatency: new FastHistogram({
      name: 'chat_ack_latency_seconds',
      help: 'From a message:send frame’s arrival to its message:ack (stored durably)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    slowConsumerDisconnects: new Counter({
      name: 'chat_ws_slow_consumer_disconnects_total',
      help: 'Connections closed because their send queue outgrew the limit',
      registers,
    }),
    typingEvents: new Counter({
      name: 'chat_typing_events_total',
      help: 'typing:start and typing:stop frames accepted',
      registers,
    }),
    rateLimited: {
      loginPerAddress: rateLimited.labels('login_address'),
      loginPerUsername: rateLimited.labels('login_username'),
      typing: rateLimited.labels('typing'),
      connections: rateLimited.labels('connections'),
    },
    redisLatency: new FastHistogram({
      name: 'chat_redis_latency_seconds',
      help: 'Round trip of the stats sampler’s Redis commands (scale-out)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    outboxes: new Gauge({
      name: 'chat_outbox_undelivered_messages',
      help: 'Undelivered messages of the users with the largest outboxes (top 10)',
      labelNames: ['user'],
      registers,
    }),
    busResyncs: new Counter({
      name: 'chat_bus_resyncs_total',
      help: 'Resyncs of every session from the store after events between nodes may have been missed',
      registers,
    }),
    eventLoop,
    delivered(createdAt, replayed) {
      if (replayed) {
        deliveredReplayed.inc();
        return;
      }
      deliveredLive.inc();
      deliveryLatency.observe((Date.now() - Date.parse(createdAt)) / 1000);
    },
    markActive(userId) {
      lastActive.set(userId, Date.now());
    },
    close() {
      eventLoop.close();
    },
  };
}
