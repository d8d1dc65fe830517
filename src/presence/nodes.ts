/**
 * The registry of live nodes: each node writes its entry (id, address, start
 * time, last heartbeat) with a TTL and renews it every ttl / 3, so the others
 * and operators can list who is up. A node that dies drops out after the TTL.
 *
 *   <prefix>nodes          zset: node id -> when its entry expires (ms)
 *   <prefix>node:<id>      string: the entry as JSON, with the same TTL
 *
 * From a shell: `redis-cli ZRANGEBYSCORE chat:nodes $(date +%s%3N) +inf`.
 */
import type { Redis } from 'ioredis';
import type { ErrorReporter } from '../redis/connection.js';

export interface NodeInfo {
  id: string;
  /** http://host:port the node listens on. */
  address: string;
  startedAt: string;
  heartbeatAt: string;
}

export class RedisNodeRegistry {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly node: Omit<NodeInfo, 'heartbeatAt'>,
    private readonly ttlMs: number,
  ) {}

  /** Writes this node's entry and keeps renewing it until close() or stop(). */
  static async register(
    redis: Redis,
    prefix: string,
    node: Omit<NodeInfo, 'heartbeatAt'>,
    onError: ErrorReporter,
    ttlMs = 15_000,
  ): Promise<RedisNodeRegistry> {
    const registry = new RedisNodeRegistry(redis, prefix, node, ttlMs);
    await registry.beat();
    registry.timer = setInterval(
      () => void registry.beat().catch((error: unknown) => onError(error, 'node registry')),
      Math.max(10, Math.floor(ttlMs / 3)),
    );
    registry.timer.unref();
    return registry;
  }

  /** The nodes whose entries have not expired, by id. */
  async list(): Promise<NodeInfo[]> {
    const now = Date.now();
    const ids = await this.redis.zrangebyscore(`${this.prefix}nodes`, now, '+inf');
    if (ids.length === 0) return [];
    const entries = await this.redis.mget(...ids.map((id) => this.entryKey(id)));
    return entries
      .filter((entry): entry is string => entry !== null)
      .map((entry) => JSON.parse(entry) as NodeInfo)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Stops renewing without removing the entry: it expires like a dead node's. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Leaves the registry at once. */
  async close(): Promise<void> {
    this.stop();
    await this.redis.multi().del(this.entryKey(this.node.id)).zrem(`${this.prefix}nodes`, this.node.id).exec();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const entry: NodeInfo = { ...this.node, heartbeatAt: new Date(now).toISOString() };
    await this.redis
      .multi()
      .set(this.entryKey(this.node.id), JSON.stringify(entry), 'PX', this.ttlMs)
      .zadd(`${this.prefix}nodes`, now + this.ttlMs, this.node.id)
      .zremrangebyscore(`${this.prefix}nodes`, '-inf', now)
      .exec();
  }

  private entryKey(id: string): string {
    return `${this.prefix}node:${id}`;
  }
}
