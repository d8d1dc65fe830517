import { describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/protocol/admin.js';
import { appendSample, columns, formatBytes, formatMs, MAX_POINTS, uptime } from './series.js';

function sample(second: number, messagesPerSecond = second): NodeSample {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    connections: 2,
    messagesPerSecond,
    deliveriesPerSecond: 0,
    deliveryP50Ms: second % 2 === 0 ? null : 1.5,
    deliveryP99Ms: 3,
    eventLoopP99Ms: 0.5,
    heapUsedBytes: 1,
    rssBytes: 1,
  };
}

describe('dashboard series', () => {
  it('appends newer samples only and keeps the last MAX_POINTS', () => {
    let history: NodeSample[] = [];
    for (let i = 0; i < MAX_POINTS + 10; i++) history = appendSample(history, sample(i % 60, i));
    expect(history.length).toBeLessThanOrEqual(MAX_POINTS);
    const before = appendSample([sample(5)], sample(5));
    expect(before).toHaveLength(1);
    expect(appendSample([sample(5)], sample(6))).toHaveLength(2);
  });

  it('turns samples into uPlot columns with gaps for missing latency', () => {
    const [x, rate, p50] = columns([sample(1), sample(2)], [(s) => s.messagesPerSecond, (s) => s.deliveryP50Ms]);
    expect((x[1] ?? 0) - (x[0] ?? 0)).toBe(1);
    expect(rate).toEqual([1, 2]);
    expect(p50).toEqual([1.5, null]);
  });

  it('formats sizes, latencies and uptimes', () => {
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatMs(null)).toBe('–');
    expect(formatMs(2.345)).toBe('2.3 ms');
    expect(formatMs(250.4)).toBe('250 ms');
    const now = Date.parse('2026-01-01T02:03:00Z');
    expect(uptime('2026-01-01T02:02:30Z', now)).toBe('30 s');
    expect(uptime('2026-01-01T00:00:00Z', now)).toBe('2 h 3 min');
  });
});
