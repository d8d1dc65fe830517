/**
 * Wires the operations side into a node: metric sources that read the node's
 * state at scrape time, presence counts, and the admin service (stats sampler,
 * node exchange, outbox scan) with its REST routes.
 */
import type { Redis } from 'ioredis';
import type { Accounts } from '../domain/accounts.js';
import type { App } from '../gateway/http/deps.js';
import type { SessionRegistry } from '../gateway/ws/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RedisNodeRegistry } from '../presence/nodes.js';
import type { PresenceTracker } from '../presence/presence.js';
import type { AdminStore } from '../store/stores.js';
import { redisView, standaloneView } from './cluster.js';
import { PresenceCounts } from './presence-counts.js';
import { registerAdminRoutes } from './routes.js';
import { NodeSampler } from './sampler.js';
import { AdminService } from './service.js';

export interface OperationsDeps {
  nodeId: string;
  redisPrefix: string;
  statsIntervalMs: number;
  outboxScanMs: number;
  store: AdminStore;
  /** The database pool's use, when the store has one. */
  pool: (() => { total: number; idle: number; waiting: number }) | undefined;
  metrics: Metrics;
  presence: PresenceTracker;
  /** The gateway's sessions; a function because the gateway is built after this. */
  sessions: () => SessionRegistry;
  redis: Redis | null;
  nodes: () => RedisNodeRegistry | null;
  logger: Logger;
}

export interface Operations {
  admin: AdminService;
  /** Registers the admin routes and starts sampling (once the gateway exists). */
  start(app: App, accounts: Accounts): void;
  close(): void;
}

export function createOperations(deps: OperationsDeps): Operations {
  const { metrics } = deps;
  const presenceCounts = new PresenceCounts(deps.presence);
  metrics.sources.presence = () => presenceCounts.counts();
  if (deps.pool) metrics.sources.pool = deps.pool;
  metrics.sources.sendQueues = function* () {
    for (const session of deps.sessions().all()) yield session.bufferedAmount;
  };
  const self = { id: deps.nodeId, startedAt: new Date().toISOString() };
  const cluster = deps.redis
    ? redisView(deps.redis, deps.redisPrefix, self, deps.nodes, deps.statsIntervalMs, metrics)
    : standaloneView(self);
  const sampler = new NodeSampler(metrics, () => deps.sessions().size);
  const admin = new AdminService(deps.store, sampler, cluster, metrics, deps.logger, {
    intervalMs: deps.statsIntervalMs,
    outboxScanMs: deps.outboxScanMs,
    outboxLimit: 10,
    historyLength: 120,
  });
  return {
    admin,
    start(app, accounts) {
      registerAdminRoutes(app, accounts, admin);
      admin.start();
    },
    close() {
      admin.close();
      presenceCounts.close();
      metrics.close();
    },
  };
}
