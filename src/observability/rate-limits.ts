/** Counts a rate limiter's refusals, without the limiter or its callers knowing. */
import type { Counter } from 'prom-client';
import type { RateDecision, RateLimiter } from '../ratelimit/limiter.js';

export function countRefusals(limiter: RateLimiter, refusals: Counter.Internal): RateLimiter {
  const counted = (decision: RateDecision) => {
    if (!decision.allowed) refusals.inc();
    return decision;
  };
  return {
    consume: async (key, points) => counted(await limiter.consume(key, points)),
    peek: async (key) => counted(await limiter.peek(key)),
    reset: (key) => limiter.reset(key),
  };
}
