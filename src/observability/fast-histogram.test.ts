import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram.js';

/** The same observations through prom-client's Histogram and FastHistogram, read back from each registry. */
async function bothExpositions(
  labelNames: string[],
  feed: (h: { observe(labels: Record<string, string>, v: number): void; observe(v: number): void }) => void,
): Promise<[string, string]> {
  const config = { name: 'op_seconds', help: 'h', buckets: [0.001, 0.01, 0.1], labelNames };
  const reference = new Registry();
  const fast = new Registry();
  feed(new Histogram({ ...config, registers: [reference] }));
  feed(new FastHistogram({ ...config, registers: [fast] }));
  return [await reference.metrics(), await fast.metrics()];
}

describe('FastHistogram', () => {
  it('exposes exactly what prom-client exposes for the same unlabelled observations', async () => {
    const [reference, fast] = await bothExpositions([], (h) => {
      for (const v of [0.0005, 0.001, 0.002, 0.05, 0.5, 7]) h.observe(v);
    });
    assert.equal(fast, reference);
    assert.match(fast, /^op_seconds_count 6$/m);
    assert.match(fast, /^op_seconds_bucket\{le="0.001"\} 2$/m);
  });

  it('keeps one series per label set, observed directly or through series()', async () => {
    const [reference, fast] = await bothExpositions(['operation'], (h) => {
      h.observe({ operation: 'append' }, 0.002);
      h.observe({ operation: 'read' }, 0.2);
      h.observe({ operation: 'append' }, 0.0001);
    });
    assert.equal(fast, reference);
    const histogram = new FastHistogram({
      name: 'x',
      help: 'h',
      labelNames: ['operation'],
      buckets: [1],
      registers: [new Registry()],
    });
    const append = histogram.series({ operation: 'append' });
    append.observe(0.5);
    append.observe(2);
    const values = (await histogram.get()).values.filter((v) => v.labels.operation === 'append');
    assert.deepEqual(
      values.map((v) => [v.metricName, (v.labels as Record<string, unknown>).le, v.value]),
      [
        ['x_bucket', 1, 1],
        ['x_bucket', '+Inf', 2],
        ['x_sum', undefined, 2.5],
        ['x_count', undefined, 2],
      ],
    );
  });

  it('reads as zeros before the first observation, and again after reset', async () => {
    const registry = new Registry();
    const histogram = new FastHistogram({ name: 'y', help: 'h', buckets: [1], registers: [registry] });
    assert.match(await registry.metrics(), /^y_count 0$/m);
    histogram.observe(3);
    assert.match(await registry.metrics(), /^y_count 1$/m);
    histogram.reset();
    assert.doesNotMatch(await registry.metrics(), /^y_count 1$/m);
  });

  it('refuses values that are not numbers, and labels(), which would bypass it', () => {
    const histogram = new FastHistogram({ name: 'z', help: 'h', labelNames: ['a'], registers: [new Registry()] });
    assert.throws(() => histogram.observe({ a: 'x' }, Number.NaN), TypeError);
    assert.throws(() => (histogram.labels as (...values: string[]) => unknown)('x'), /use series/);
  });
});
