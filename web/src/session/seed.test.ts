import { describe, expect, it, vi } from 'vitest';
import type { Receipt } from '../../../sdk/index.js';
import { tickState } from '../lib/ticks.js';
import { conversation, message } from '../test-fixtures.js';
import { seedWatermarks } from './seed.js';

describe('seedWatermarks', () => {
  const c = conversation({ type: 'group', memberIds: ['u-Alice', 'u-Bob', 'u-Carol'] });
  const messages = Array.from({ length: 40 }, (_, i) =>
    message(c.id, i + 1, { senderId: i % 2 ? 'u-Alice' : 'u-Bob' }),
  );
  // Bob has read up to 30, Carol got everything up to 36 and read up to 21.
  const truth: Record<string, { read: number; delivered: number }> = {
    'u-Bob': { read: 30, delivered: 30 },
    'u-Carol': { read: 21, delivered: 36 },
  };
  const receipts = vi.fn(async (id: string): Promise<Receipt[]> => {
    const seq = messages.find((m) => m.id === id)?.seq ?? 0;
    return Object.entries(truth).map(([userId, w]) => ({
      userId,
      status: w.read >= seq ? 'read' : w.delivered >= seq ? 'delivered' : 'sent',
      at: null,
    }));
  });

  it('finds where "read by all" and "delivered to all" end with few requests', async () => {
    const marks = await seedWatermarks(c, messages, 'u-Alice', receipts);
    expect(receipts.mock.calls.length).toBeLessThanOrEqual(13);
    for (const m of messages.filter((x) => x.senderId === 'u-Alice')) {
      const expected = m.seq <= 21 ? 'read' : m.seq <= 30 ? 'delivered' : 'sent';
      expect(tickState(m, c, marks), `seq ${m.seq}`).toBe(expected);
    }
  });

  it('asks once when the newest own message is read by all', async () => {
    const calls = vi.fn(
      async (): Promise<Receipt[]> => [
        { userId: 'u-Bob', status: 'read', at: null },
        { userId: 'u-Carol', status: 'read', at: null },
      ],
    );
    const marks = await seedWatermarks(c, messages, 'u-Alice', calls);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(tickState(messages[1] as (typeof messages)[number], c, marks)).toBe('read');
  });

  it('asks nothing without own messages', async () => {
    const calls = vi.fn(async (): Promise<Receipt[]> => []);
    expect(
      await seedWatermarks(
        c,
        messages.filter((m) => m.senderId !== 'u-Alice'),
        'u-Alice',
        calls,
      ),
    ).toEqual({});
    expect(calls).not.toHaveBeenCalled();
  });
});
