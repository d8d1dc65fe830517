/**
 * Rate limits shared by every node through Redis: the budget holds across the
 * deployment, whichever node a request reaches. While Redis does not answer,
 * each node falls back to its own in-process counters rather than refusing.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { FlexibleRateLimiter, type RateLimiter } from './limiter.js';

export function redisRateLimiter(
  redis: Redis,
  prefix: string,
  name: string,
  points: number,
  windowSeconds: number,
): RateLimiter {
  return new FlexibleRateLimiter(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}ratelimit:${name}`,
      points,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds }),
    }),
  );
}
