import { describe, expect, it } from 'vitest';
import { buildRows, type TimelineItem } from './grouping.js';

const item = (key: string, senderId: string, createdAt: string, isSystem = false): TimelineItem => ({
  key,
  senderId,
  createdAt,
  isSystem,
});

describe('buildRows', () => {
  const now = new Date(2026, 2, 12, 18, 0);
  const t = (d: number, h: number, m: number) => new Date(2026, 2, d, h, m).toISOString();

  it('separates days and groups consecutive messages of a sender', () => {
    const rows = buildRows(
      [
        item('a', 'u1', t(11, 9, 0)),
        item('b', 'u1', t(12, 9, 0)),
        item('c', 'u1', t(12, 9, 2)),
        item('d', 'u2', t(12, 9, 3)),
        item('e', 'u2', t(12, 9, 30)),
        item('f', 'u2', t(12, 9, 31), true),
      ],
      now,
    );
    expect(
      rows.map((r) => (r.kind === 'day' ? `#${r.label}` : `${r.key}${r.first ? '^' : ''}${r.last ? '$' : ''}`)),
    ).toEqual(['#Yesterday', 'a^$', '#Today', 'b^', 'c$', 'd^$', 'e^$', 'f^$']);
  });

  it('is empty for no items', () => {
    expect(buildRows([], now)).toEqual([]);
  });
});
