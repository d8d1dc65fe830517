/** The send limiter: bursts up to the burst size, then the steady rate, then refusals with a wait. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burstRateLimiter } from './burst.js';
import { memoryRateLimiter } from './memory.js';

describe('burst rate limiter', () => {
  it('allows a burst of 50 at 20/s, then refuses with Retry-After, per key', async () => {
    const limiter = burstRateLimiter(memoryRateLimiter, `t${Math.random()}`, 20, 50);
    const decisions = [];
    for (let i = 0; i < 60; i++) decisions.push(await limiter.consume('alice'));
    const allowed = decisions.filter((d) => d.allowed).length;
    assert.equal(allowed, 50);
    const refused = decisions.find((d) => !d.allowed);
    assert.ok(refused && refused.retryAfterSeconds >= 1, 'a refusal says when to retry');
    assert.equal((await limiter.consume('bob')).allowed, true, 'keys are independent');
    assert.equal((await limiter.peek('alice')).allowed, false);
    await limiter.reset('alice');
    assert.equal((await limiter.consume('alice')).allowed, true);
  });

  it('without a burst above the rate, only the rate', async () => {
    const limiter = burstRateLimiter(memoryRateLimiter, `t${Math.random()}`, 5, 5);
    let allowed = 0;
    for (let i = 0; i < 10; i++) if ((await limiter.consume('k')).allowed) allowed++;
    assert.equal(allowed, 5);
  });
});
