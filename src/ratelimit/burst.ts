/**
 * A steady rate with bursts, for message sends: `ratePerSecond` sustained, and
 * up to `burst` at once, the extra drawn from a pool that refills every 10 s
 * (the two-limiter scheme of rate-limiter-flexible's BurstyRateLimiter, over
 * our RateLimiter so the memory and Redis implementations both fit).
 */
import type { RateDecision, RateLimiter } from './limiter.js';

export const BURST_POOL_SECONDS = 10;

export class BurstRateLimiter implements RateLimiter {
  constructor(
    private readonly steady: RateLimiter,
    private readonly pool: RateLimiter | null,
  ) {}

  async consume(key: string, points = 1): Promise<RateDecision> {
    const steady = await this.steady.consume(key, points);
    if (steady.allowed || !this.pool) return steady;
    const pool = await this.pool.consume(key, points);
    if (pool.allowed) return pool;
    return { allowed: false, retryAfterSeconds: Math.min(steady.retryAfterSeconds, pool.retryAfterSeconds) };
  }

  async peek(key: string): Promise<RateDecision> {
    const steady = await this.steady.peek(key);
    if (steady.allowed || !this.pool) return steady;
    return this.pool.peek(key);
  }

  async reset(key: string): Promise<void> {
    await this.steady.reset(key);
    await this.pool?.reset(key);
  }
}

/** `make(name, points, windowSeconds)` builds one limiter (memory or Redis). */
export function burstRateLimiter(
  make: (name: string, points: number, windowSeconds: number) => RateLimiter,
  name: string,
  ratePerSecond: number,
  burst: number,
): RateLimiter {
  const extra = burst - ratePerSecond;
  return new BurstRateLimiter(
    make(name, ratePerSecond, 1),
    extra > 0 ? make(`${name}-burst`, extra, BURST_POOL_SECONDS) : null,
  );
}
