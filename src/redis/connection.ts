/**
 * The Redis connections of one node: one for commands (presence, routing, rate
 * limits and the node registry share it) and one for subscriptions. Both
 * reconnect by themselves; after a reconnect the subscriber subscribes again
 * and only then tells its listeners that messages may have been missed.
 * One Redis server (or a Sentinel-managed primary), not Redis Cluster: scripts
 * name keys by prefix.
 */
import { Redis } from 'ioredis';

export type ErrorReporter = (error: unknown, what: string) => void;

/** Opens a connection and waits until it answers; a server that does not answer fails the start. */
export async function openRedis(
  url: string,
  name: string,
  onError: ErrorReporter,
  options: { subscriber?: boolean } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    // Reconnect quickly, forever; commands wait in the offline queue meanwhile.
    retryStrategy: (times) => Math.min(50 * times, 1000),
    autoResubscribe: false,
    ...(options.subscriber ? {} : { commandTimeout: 5_000 }),
  });
  // One report per outage, not one per reconnect attempt.
  let reported = false;
  redis.on('ready', () => {
    reported = false;
  });
  redis.on('error', (error: unknown) => {
    if (reported) return;
    reported = true;
    onError(error, `redis connection ${name}`);
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')} does not answer: ${String(error)}`);
  }
  return redis;
}

/** Closes politely, or at once when the server is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(reject, 1_000).unref())]);
  } catch {
    redis.disconnect();
  }
}

/** One subscriber connection shared by several users, each with its own channels. */
export class RedisSubscriber {
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly resumeListeners = new Set<() => void>();
  private lost = false;

  constructor(
    readonly redis: Redis,
    private readonly onError: ErrorReporter,
  ) {
    redis.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
    redis.on('close', () => {
      this.lost = true;
    });
    redis.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      void this.resubscribe();
    });
  }

  static async open(url: string, name: string, onError: ErrorReporter): Promise<RedisSubscriber> {
    return new RedisSubscriber(await openRedis(url, name, onError, { subscriber: true }), onError);
  }

  /** Resolves once Redis confirmed the subscription. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, handler);
    await this.redis.subscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.handlers.delete(channel)) return;
    if (this.redis.status === 'ready') await this.redis.unsubscribe(channel).catch(() => {});
  }

  /** Called after the connection was lost and is subscribed again: messages may have been missed. */
  onResume(listener: () => void): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }

  close(): Promise<void> {
    this.handlers.clear();
    this.resumeListeners.clear();
    return closeRedis(this.redis);
  }

  private async resubscribe(): Promise<void> {
    try {
      if (this.handlers.size > 0) await this.redis.subscribe(...this.handlers.keys());
    } catch (error) {
      // The connection dropped again: the next 'ready' tries again.
      this.onError(error, 'redis resubscribe');
      return;
    }
    for (const listener of [...this.resumeListeners]) {
      try {
        listener();
      } catch (error) {
        this.onError(error, 'redis resume listener');
      }
    }
  }
}
