/**
 * This node's figures, sampled every interval from its own metrics (counter
 * and histogram deltas, so the message path pays nothing extra): the rows of
 * the dashboard's charts and of `admin:stats` frames.
 */
import type { Counter } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';
import type { NodeSample } from '../protocol/admin.js';
import { type Buckets, intervalQuantile, readBuckets } from './quantile.js';

async function counterTotal(counter: Counter): Promise<number> {
  const { values } = await counter.get();
  let total = 0;
  for (const value of values) total += value.value;
  return total;
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 10_000) / 10;
}

export class NodeSampler {
  private previous: { at: number; stored: number; delivered: number; latency: Buckets } | null = null;

  constructor(
    private readonly metrics: Metrics,
    private readonly connections: () => number,
  ) {}

  async sample(now = Date.now()): Promise<NodeSample> {
    const { metrics } = this;
    const stored = await counterTotal(metrics.messagesStored);
    const delivered = await counterTotal(metrics.messagesDelivered);
    const latency = await readBuckets(metrics.deliveryLatency);
    const previous = this.previous;
    this.previous = { at: now, stored, delivered, latency };
    const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : 1;
    const memory = process.memoryUsage();
    return {
      at: new Date(now).toISOString(),
      connections: this.connections(),
      messagesPerSecond: previous ? round((stored - previous.stored) / seconds) : 0,
      deliveriesPerSecond: previous ? round((delivered - previous.delivered) / seconds) : 0,
      deliveryP50Ms: ms(intervalQuantile(previous?.latency ?? null, latency, 0.5)),
      deliveryP99Ms: ms(intervalQuantile(previous?.latency ?? null, latency, 0.99)),
      eventLoopP99Ms: round(metrics.eventLoop.peek().p99Ms),
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The deployment as one: rates and connections add up; latency and lag are the worst node's. */
export function combine(samples: readonly NodeSample[], at: string): NodeSample {
  const worst = (pick: (s: NodeSample) => number | null) =>
    samples.reduce<number | null>((max, s) => {
      const value = pick(s);
      return value === null ? max : Math.max(max ?? value, value);
    }, null);
  const sum = (pick: (s: NodeSample) => number) => round(samples.reduce((total, s) => total + pick(s), 0));
  return {
    at,
    connections: sum((s) => s.connections),
    messagesPerSecond: sum((s) => s.messagesPerSecond),
    deliveriesPerSecond: sum((s) => s.deliveriesPerSecond),
    deliveryP50Ms: worst((s) => s.deliveryP50Ms),
    deliveryP99Ms: worst((s) => s.deliveryP99Ms),
    eventLoopP99Ms: worst((s) => s.eventLoopP99Ms) ?? 0,
    heapUsedBytes: sum((s) => s.heapUsedBytes),
    rssBytes: sum((s) => s.rssBytes),
  };
}
