import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { intervalQuantile, readBuckets } from './quantile.js';

describe('intervalQuantile', () => {
  it('estimates quantiles of what was observed since the previous reading only', async () => {
    const histogram = new Histogram({
      name: 'h',
      help: 'h',
      buckets: [0.01, 0.1, 1],
      registers: [new Registry()],
    });
    for (let i = 0; i < 100; i++) histogram.observe(0.5);
    const before = await readBuckets(histogram);
    for (let i = 0; i < 99; i++) histogram.observe(0.005);
    histogram.observe(0.05);
    const after = await readBuckets(histogram);
    const p50 = intervalQuantile(before, after, 0.5);
    assert.ok(p50 !== null && p50 > 0 && p50 <= 0.01, `p50 ${p50}`);
    const p99 = intervalQuantile(before, after, 0.99);
    assert.ok(p99 !== null && p99 <= 0.01, `p99 ${p99}`);
    const max = intervalQuantile(before, after, 1);
    assert.ok(max !== null && max > 0.01 && max <= 0.1, `max ${max}`);
    assert.equal(intervalQuantile(after, after, 0.5), null);
  });

  it('answers the last finite bound for observations beyond it', async () => {
    const histogram = new Histogram({ name: 'h2', help: 'h', buckets: [1, 2], registers: [new Registry()] });
    histogram.observe(50);
    assert.equal(intervalQuantile(null, await readBuckets(histogram), 0.99), 2);
  });
});
