/**
 * Prometheus metrics of one node. Each node owns its registry (several nodes may
 * share a process in tests), plus Node's default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  messagesStored: Counter;
  dbDuration: Histogram<'operation'>;
  wsConnections: Gauge;
  /** message:new frames handed to connections (live and replayed). */
  messagesDelivered: Counter;
  slowConsumerDisconnects: Counter;
  /** Times this node re-read its sessions' conversations from the store after a bus gap. */
  busResyncs: Counter;
  /** Record that a user was active now; the gauge counts users active in the last 5 minutes. */
  markActive(userId: string): void;
}

const ACTIVE_WINDOW_MS = 5 * 60 * 1000;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chat_' });

  const lastActive = new Map<string, number>();
  new Gauge({
    name: 'chat_active_users',
    help: 'Users who made an authenticated request in the last 5 minutes',
    registers: [registry],
    collect() {
      const cutoff = Date.now() - ACTIVE_WINDOW_MS;
      for (const [userId, at] of lastActive) if (at < cutoff) lastActive.delete(userId);
      this.set(lastActive.size);
    },
  });

  return {
    registry,
    httpDuration: new Histogram({
      name: 'chat_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    messagesStored: new Counter({
      name: 'chat_messages_stored_total',
      help: 'Messages durably stored (repeats of a clientMsgId not counted)',
      registers: [registry],
    }),
    dbDuration: new Histogram({
      name: 'chat_db_operation_duration_seconds',
      help: 'Storage operation latency',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'chat_ws_connections',
      help: 'Open WebSocket connections on this node',
      registers: [registry],
    }),
    messagesDelivered: new Counter({
      name: 'chat_messages_delivered_total',
      help: 'Messages offered to open connections',
      registers: [registry],
    }),
    slowConsumerDisconnects: new Counter({
      name: 'chat_ws_slow_consumer_disconnects_total',
      help: 'Connections closed because their send queue outgrew the limit',
      registers: [registry],
    }),
    busResyncs: new Counter({
      name: 'chat_bus_resyncs_total',
      help: 'Resyncs of every session from the store after events between nodes may have been missed',
      registers: [registry],
    }),
    markActive(userId) {
      lastActive.set(userId, Date.now());
    },
  };
}
