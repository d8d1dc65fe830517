/**
 * Presence shared by every node through Redis, with the rules of presence.ts.
 * Each connection is a field of its user's hash ("node, expiresAt, idleAt") and
 * a member of one sorted set scored by when it may next change (goes idle or
 * expires). Every node sweeps that set periodically; the Lua scripts
 * (lua/*.lua) recompute a user atomically and publish a status change exactly
 * once, on a channel every node listens to.
 *
 * A node renews the expiry of its open connections every offlineAfterMs / 3; a
 * lost connection expires offlineAfterMs after its last heartbeat. A node that
 * dies (kill -9) stops renewing, so its users go offline within offlineAfterMs
 * plus one sweep on the other nodes. The renewal also registers again what a
 * Redis restart lost. The connection hashes double as the routing registry:
 * nodesOf() answers which nodes hold a user's connections. Times are the
 * nodes' clocks (keep them in sync): a skew shifts expiries by as much.
 */
import type { Redis } from 'ioredis';
import type { RouteLookup } from '../bus/redis.js';
import type { ErrorReporter, RedisSubscriber } from '../redis/connection.js';
import type { PresenceListener, PresenceSnapshot, PresenceTimings, PresenceTracker } from './presence.js';
import { type PresenceScripts, presenceScripts } from './scripts.js';

export interface RedisPresenceOptions {
  redis: Redis;
  subscriber: RedisSubscriber;
  /** Key and channel prefix shared by the deployment's nodes. */
  prefix: string;
  nodeId: string;
  timings: PresenceTimings;
  /** How often this node sweeps (default: offlineAfterMs / 4, at most 1 s). */
  sweepEveryMs?: number;
  onError: ErrorReporter;
  clock?: () => number;
  /**
   * A periodic renewal found some of this node's connections missing from
   * Redis and registered them again (keys evicted or lost, or swept after the
   * node stalled): events routed meanwhile missed this node.
   */
  onRoutesLost?: () => void;
}

interface LocalConnection {
  userId: string;
  lastHeartbeat: number;
  lastActivity: number;
  saidIdle: boolean;
}

const SWEEP_LIMIT = 500;
const RENEW_CHUNK = 500;

export class RedisPresence implements PresenceTracker, RouteLookup {
  private readonly local = new Map<string, LocalConnection>();
  private readonly listeners = new Set<PresenceListener>();
  private readonly scripts: PresenceScripts;
  private readonly clock: () => number;
  private readonly changes: string;
  private readonly intervals: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(private readonly options: RedisPresenceOptions) {
    this.scripts = presenceScripts(options.redis);
    this.clock = options.clock ?? Date.now;
    this.changes = `${options.prefix}presence:changes`;
  }

  /** Subscribes to status changes and starts this node's renewals and sweeps. */
  static async open(options: RedisPresenceOptions): Promise<RedisPresence> {
    const presence = new RedisPresence(options);
    await options.subscriber.subscribe(presence.changes, (message) => presence.announce(message));
    const { offlineAfterMs } = options.timings;
    const every = (ms: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => void task().catch((error: unknown) => options.onError(error, 'presence')), ms);
      timer.unref();
      presence.intervals.push(timer);
    };
    every(Math.max(10, Math.floor(offlineAfterMs / 3)), async () => {
      if ((await presence.restore()) > 0) options.onRoutesLost?.();
    });
    every(options.sweepEveryMs ?? Math.max(10, Math.min(1000, Math.floor(offlineAfterMs / 4))), () => presence.sweep());
    return presence;
  }

  async get(userId: string): Promise<PresenceSnapshot> {
    const [status, lastSeen] = await this.options.redis.hmget(this.userKey(userId), 'status', 'lastSeen');
    return snapshot(status ?? null, lastSeen ?? null);
  }

  connect(userId: string, connectionId: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const now = this.clock();
    const connection = { userId, lastHeartbeat: now, lastActivity: now, saidIdle: false };
    this.local.set(connectionId, connection);
    return this.upsert(connectionId, connection, now, now);
  }

  heartbeat(userId: string, connectionId: string): void {
    const connection = this.find(userId, connectionId);
    if (connection) connection.lastHeartbeat = this.clock();
  }

  activity(userId: string, connectionId: string): void {
    const connection = this.find(userId, connectionId);
    if (!connection) return;
    const now = this.clock();
    connection.lastActivity = now;
    connection.lastHeartbeat = now;
    connection.saidIdle = false;
    void this.upsert(connectionId, connection, now, now);
  }

  setStatus(userId: string, connectionId: string, status: 'online' | 'idle'): void {
    if (status === 'online') {
      this.activity(userId, connectionId);
      return;
    }
    const connection = this.find(userId, connectionId);
    if (!connection) return;
    connection.saidIdle = true;
    connection.lastHeartbeat = this.clock();
    void this.upsert(connectionId, connection, this.clock(), null);
  }

  disconnect(userId: string, connectionId: string, clean: boolean): void {
    const connection = this.find(userId, connectionId);
    if (!connection) return;
    this.local.delete(connectionId);
    const now = this.clock();
    const prefix = this.options.prefix;
    if (clean) void this.run(this.scripts.remove(prefix, now, userId, connectionId));
    // Lost: it counts until offlineAfterMs after its last heartbeat, and this node stops renewing it.
    else void this.upsert(connectionId, connection, now, null, connection.lastHeartbeat);
  }

  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async nodesOf(userIds: readonly string[]): Promise<string[]> {
    return (await this.scripts.route(this.options.prefix, ...userIds)) as string[];
  }

  /**
   * Renews this node's open connections and registers again those Redis lost;
   * runs periodically, and before a gap is handled. Resolves with how many
   * had to be registered again.
   */
  async restore(): Promise<number> {
    if (this.closed) return 0;
    const now = this.clock();
    const entries = [...this.local];
    let restored = 0;
    for (let start = 0; start < entries.length; start += RENEW_CHUNK) {
      const args: (string | number)[] = [this.options.prefix, now];
      for (const [connectionId, connection] of entries.slice(start, start + RENEW_CHUNK)) {
        args.push(connection.userId, connectionId, this.value(connection, now + this.options.timings.offlineAfterMs));
      }
      restored += Number(await this.scripts.renew(...args)) || 0;
    }
    return restored;
  }

  /** Recomputes the users whose connections went idle or expired; any node may run it. */
  async sweep(): Promise<void> {
    for (let round = 0; round < 10 && !this.closed; round++) {
      const seen = (await this.scripts.sweep(this.options.prefix, this.clock(), SWEEP_LIMIT)) as number;
      if (seen < SWEEP_LIMIT) return;
    }
  }

  /**
   * Stops this node's renewals, sweeps and announcements. Connections still
   * open stay registered and expire like those of a node that died; a drained
   * node has closed them all cleanly before.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.intervals) clearInterval(timer);
    this.local.clear();
    this.listeners.clear();
    await this.options.subscriber.unsubscribe(this.changes);
  }

  private find(userId: string, connectionId: string): LocalConnection | undefined {
    const connection = this.closed ? undefined : this.local.get(connectionId);
    return connection?.userId === userId ? connection : undefined;
  }

  private value(connection: LocalConnection, expiresAt: number): string {
    const idleAt = connection.saidIdle ? 0 : connection.lastActivity + this.options.timings.idleAfterMs;
    return `${this.options.nodeId}\t${Math.floor(expiresAt)}\t${Math.floor(idleAt)}`;
  }

  private upsert(
    connectionId: string,
    connection: LocalConnection,
    now: number,
    lastSeen: number | null,
    heartbeatAt = now,
  ): Promise<void> {
    const expiresAt = heartbeatAt + this.options.timings.offlineAfterMs;
    return this.run(
      this.scripts.upsert(
        this.options.prefix,
        now,
        connection.userId,
        connectionId,
        this.value(connection, expiresAt),
        lastSeen === null ? '' : Math.floor(lastSeen),
      ),
    );
  }

  private async run(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (error) {
      this.options.onError(error, 'presence');
    }
  }

  private announce(message: string): void {
    const [userId, status, lastSeen] = message.split('\t');
    if (!userId || this.closed) return;
    const view = snapshot(status ?? null, lastSeen ?? null);
    for (const listener of [...this.listeners]) {
      try {
        listener(userId, view);
      } catch (error) {
        this.options.onError(error, 'presence listener');
      }
    }
  }

  private userKey(userId: string): string {
    return `${this.options.prefix}presence:user:${userId}`;
  }
}

function snapshot(status: string | null, lastSeen: string | null): PresenceSnapshot {
  const at = lastSeen ? Number(lastSeen) : Number.NaN;
  return {
    status: status === 'online' || status === 'idle' ? status : 'offline',
    lastSeen: Number.isFinite(at) ? new Date(at).toISOString() : null,
  };
}
