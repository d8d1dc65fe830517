/**
 * Test helpers for suites that need Redis or PostgreSQL: where they are, a
 * unique Redis key prefix per run (removed afterwards), and the rule for when
 * they do not answer: the suite fails under CI and is skipped elsewhere.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis cannot be used, or null when it answers. */
export async function redisUnreachable(url = REDIS_URL): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    redis.disconnect();
  }
}

/** A key prefix no other run uses. */
export function testPrefix(): string {
  return `chat-test:${randomBytes(5).toString('hex')}:`;
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Defines the suite when every service answered (reasons all null); otherwise
 * one test that fails under CI (the services are part of CI) or is skipped.
 */
export function requireServices(suite: string, reasons: Record<string, string | null>, define: () => void): void {
  const missing = Object.entries(reasons).filter(([, reason]) => reason !== null);
  if (missing.length === 0) {
    define();
    return;
  }
  const message = `${suite}: ${missing.map(([name, reason]) => `${name} unreachable (${reason})`).join('; ')}`;
  if (process.env.CI) {
    it(`${suite} reaches its services (required under CI)`, () => {
      assert.fail(message);
    });
  } else {
    it(suite, { skip: `${message}; set TEST_REDIS_URL / TEST_DATABASE_URL` }, () => {});
  }
}

/** Kills, at the server, the connections whose name starts with `namePrefix` (they reconnect by themselves). */
export async function killClients(namePrefix: string, url = REDIS_URL): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    const list = (await redis.client('LIST')) as string;
    const ids = list
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2))))
      .filter((client) => typeof client.name === 'string' && client.name.startsWith(namePrefix))
      .map((client) => client.id as string);
    for (const id of ids) await redis.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    redis.disconnect();
  }
}
