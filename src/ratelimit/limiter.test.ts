/**
 * The rate limiter on both implementations: a budget per key and window, peek
 * without spending, reset. On Redis two limiters (two nodes) share the budget.
 * Redis unreachable: its part is skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeRedis, openRedis } from '../redis/connection.js';
import { dropPrefix, REDIS_URL, redisUnreachable, requireServices, testPrefix } from '../testing/services.js';
import type { RateLimiter } from './limiter.js';
import { memoryRateLimiter } from './memory.js';
import { redisRateLimiter } from './redis.js';

type Make = (name: string, points: number, windowSeconds: number) => Promise<RateLimiter[]>;

function describeLimiter(label: string, make: Make, cleanup: () => Promise<void> = async () => {}): void {
  describe(`RateLimiter: ${label}`, () => {
    it('allows the budget, then refuses with a retry delay; peek does not spend; reset forgets', async () => {
      try {
        const [limiter] = await make('budget', 3, 60);
        assert.ok(limiter);
        for (let i = 0; i < 3; i++)
          assert.deepEqual(await limiter.consume('k'), { allowed: true, retryAfterSeconds: 0 });
        const refused = await limiter.consume('k');
        assert.equal(refused.allowed, false);
        assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60);
        assert.equal((await limiter.peek('k')).allowed, false);
        assert.equal((await limiter.peek('other')).allowed, true);
        assert.equal((await limiter.consume('other')).allowed, true, 'keys are separate');
        await limiter.reset('k');
        assert.equal((await limiter.peek('k')).allowed, true);
        assert.equal((await limiter.consume('k')).allowed, true);
      } finally {
        await cleanup();
      }
    });
  });
}

describeLimiter('memory', async (name, points, windowSeconds) => [memoryRateLimiter(name, points, windowSeconds)]);

requireServices('Redis rate limiter', { redis: await redisUnreachable() }, () => {
  const prefix = testPrefix();
  const connections: Awaited<ReturnType<typeof openRedis>>[] = [];
  const make: Make = async (name, points, windowSeconds) => {
    const nodes = await Promise.all(['a', 'b'].map((id) => openRedis(REDIS_URL, `${prefix}${id}`, () => {})));
    connections.push(...nodes);
    return nodes.map((redis) => redisRateLimiter(redis, prefix, name, points, windowSeconds));
  };
  const cleanup = async () => {
    await Promise.all(connections.splice(0).map((redis) => closeRedis(redis)));
    await dropPrefix(prefix);
  };
  describeLimiter('redis', make, cleanup);

  it('RateLimiter: redis shares one budget between nodes', async () => {
    try {
      const [a, b] = await make('shared', 2, 60);
      assert.ok(a && b);
      assert.equal((await a.consume('ip')).allowed, true);
      assert.equal((await b.consume('ip')).allowed, true);
      assert.equal((await a.consume('ip')).allowed, false, 'the budget was spent across both nodes');
      assert.equal((await b.peek('ip')).allowed, false);
    } finally {
      await cleanup();
    }
  });
});
