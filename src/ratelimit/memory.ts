/** In-process rate limits: right for one node, per node when there are several. */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { FlexibleRateLimiter, type RateLimiter } from './limiter.js';

export function memoryRateLimiter(name: string, points: number, windowSeconds: number): RateLimiter {
  return new FlexibleRateLimiter(new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds }));
}
