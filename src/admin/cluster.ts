/**
 * The deployment's nodes as the dashboard lists them. Embedded: this node
 * alone. Scale-out: every node writes its latest sample to Redis with a TTL of
 * three intervals; the node registry (src/presence/nodes.ts) says who is up,
 * and a registered node whose sample expired shows as stale.
 *
 *   <prefix>admin:stats:<nodeId>   string: { sample } as JSON, PX 3 intervals
 */
import type { Redis } from 'ioredis';
import type { Metrics } from '../observability/metrics.js';
import type { RedisNodeRegistry } from '../presence/nodes.js';
import type { NodeSample, NodeStatus } from '../protocol/admin.js';

export interface ClusterView {
  /** Publishes this node's sample and returns every node's status, this one included. */
  exchange(sample: NodeSample): Promise<NodeStatus[]>;
}

export interface ThisNode {
  id: string;
  startedAt: string;
}

export function standaloneView(self: ThisNode): ClusterView {
  return {
    exchange: async (sample) => [{ id: self.id, address: null, startedAt: self.startedAt, health: 'ok', sample }],
  };
}

export function redisView(
  redis: Redis,
  prefix: string,
  self: ThisNode,
  nodes: () => RedisNodeRegistry | null,
  intervalMs: number,
  metrics: Metrics,
): ClusterView {
  const key = (id: string) => `${prefix}admin:stats:${id}`;
  const timed = async <T>(work: Promise<T>): Promise<T> => {
    const startedAt = Date.now();
    const result = await work;
    metrics.redisLatency.observe((Date.now() - startedAt) / 1000);
    return result;
  };
  return {
    async exchange(sample) {
      await timed(redis.set(key(self.id), JSON.stringify(sample), 'PX', intervalMs * 3));
      const registry = nodes();
      if (!registry) return [{ id: self.id, address: null, startedAt: self.startedAt, health: 'ok', sample }];
      const live = await timed(registry.list());
      if (live.length === 0) return [];
      const samples = await timed(redis.mget(...live.map((node) => key(node.id))));
      return live.map((node, i) => {
        const stored = samples[i];
        const parsed = stored ? (JSON.parse(stored) as NodeSample) : null;
        return {
          id: node.id,
          address: node.address,
          startedAt: node.startedAt,
          health: parsed ? 'ok' : 'stale',
          sample: parsed,
        } satisfies NodeStatus;
      });
    },
  };
}
