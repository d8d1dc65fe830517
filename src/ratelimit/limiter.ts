/**
 * A keyed rate limiter: a budget of points per window. The memory and Redis
 * implementations differ only in where the counters live (rate-limiter-flexible
 * provides both), so one adapter serves both.
 */
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the key may act again; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Spends points for the key; not allowed once the window's budget is spent. */
  consume(key: string, points?: number): Promise<RateDecision>;
  /** Whether the key's budget is already spent, without spending. */
  peek(key: string): Promise<RateDecision>;
  /** Forgets the key, e.g. after a successful login. */
  reset(key: string): Promise<void>;
}

const ALLOWED: RateDecision = { allowed: true, retryAfterSeconds: 0 };

function refused(res: RateLimiterRes): RateDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

export class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  /** Chained rather than awaited: it runs for every message sent, and each async frame is garbage. */
  consume(key: string, points = 1): Promise<RateDecision> {
    return this.limiter.consume(key, points).then(
      () => ALLOWED,
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return refused(rejection);
        throw rejection;
      },
    );
  }

  async peek(key: string): Promise<RateDecision> {
    const res = await this.limiter.get(key);
    if (res && res.consumedPoints >= this.limiter.points) return refused(res);
    return ALLOWED;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
