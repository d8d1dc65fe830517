import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('has ceilings of 1 s, 2 s, 4 s … capped at 30 s by default', () => {
    const backoff = new Backoff({ random: () => 0.999999 });
    const ceilings = Array.from({ length: 8 }, () => {
      const ceiling = backoff.ceiling();
      backoff.next();
      return ceiling;
    });
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('keeps every delay within [0, ceiling) (full jitter)', () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 500 });
    for (let i = 0; i < 2000; i++) {
      const ceiling = backoff.ceiling();
      const delay = backoff.next();
      assert.ok(delay >= 0 && delay < ceiling, `delay ${delay} outside [0, ${ceiling})`);
      if (i % 20 === 19) backoff.reset();
    }
  });

  it('scales the ceiling by the random draw', () => {
    const draws = [0, 0.5, 0.25, 0.999];
    const backoff = new Backoff({ baseMs: 1000, maxMs: 30_000, random: () => draws.shift() ?? 0 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [0, 1000, 1000, 7992]);
  });

  it('spreads delays: two clients rarely pick the same wait', () => {
    const delays = new Set<number>();
    for (let i = 0; i < 100; i++) delays.add(new Backoff({ baseMs: 1000, maxMs: 30_000 }).next());
    assert.ok(delays.size > 50, `only ${delays.size} distinct delays out of 100`);
    const mean = [...delays].reduce((a, b) => a + b, 0) / delays.size;
    assert.ok(mean > 250 && mean < 750, `mean ${mean} is not about half the ceiling`);
  });

  it('clamps a faulty random source into range', () => {
    assert.equal(new Backoff({ random: () => 1 }).next(), 999);
    assert.equal(new Backoff({ random: () => -3 }).next(), 0);
    assert.equal(new Backoff({ random: () => Number.NaN }).next() >= 0, true);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    for (let i = 0; i < 6; i++) backoff.next();
    assert.equal(backoff.attempts, 6);
    assert.equal(backoff.ceiling(), 1000);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.ceiling(), 100);
    assert.ok(backoff.next() < 100);
  });

  it('takes configurable base and max, and refuses nonsense', () => {
    const backoff = new Backoff({ baseMs: 5, maxMs: 40 });
    assert.deepEqual(
      [0, 1, 2, 3, 4, 50, 2000].map((n) => backoff.ceiling(n)),
      [5, 10, 20, 40, 40, 40, 40],
    );
    assert.throws(() => new Backoff({ baseMs: 0 }), RangeError);
    assert.throws(() => new Backoff({ baseMs: 100, maxMs: 50 }), RangeError);
  });
});
