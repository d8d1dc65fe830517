import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpirySchedule } from './expiries.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A schedule on a clock the test moves, ticking every 5 ms of real time. */
function scheduled(startMs: number) {
  let now = startMs;
  const expired: string[] = [];
  const schedule = new ExpirySchedule<string>(
    (item) => expired.push(item),
    () => now,
    5,
  );
  return {
    schedule,
    expired,
    advance: async (toMs: number) => {
      now = toMs;
      await sleep(20);
    },
  };
}

describe('ExpirySchedule', () => {
  it('expires each item once its time has come, never before', async () => {
    const { schedule, expired, advance } = scheduled(100_000);
    schedule.add('a', 101_500);
    schedule.add('b', 103_000);
    schedule.add('c', 101_200);
    await advance(101_499);
    assert.deepEqual(expired, [], 'none is due yet');
    await advance(102_000);
    assert.deepEqual(expired.sort(), ['a', 'c']);
    await advance(102_999);
    assert.deepEqual(expired.sort(), ['a', 'c'], 'b is not due a millisecond early');
    await advance(103_000);
    assert.deepEqual(expired.sort(), ['a', 'b', 'c']);
    await advance(110_000);
    assert.equal(expired.length, 3, 'each expires once');
    schedule.close();
  });

  it('forgets a deleted item, and expires one already past on the next tick', async () => {
    const { schedule, expired, advance } = scheduled(50_000);
    schedule.add('closed early', 51_000);
    schedule.add('stays', 51_000);
    schedule.delete('closed early', 51_000);
    schedule.add('already expired', 40_000);
    await advance(50_500);
    assert.deepEqual(expired, ['already expired']);
    await advance(51_000);
    assert.deepEqual(expired, ['already expired', 'stays']);
    schedule.close();
  });

  it('starts again after falling idle, from the present', async () => {
    const { schedule, expired, advance } = scheduled(10_000);
    schedule.add('first', 11_000);
    await advance(11_000);
    // Hours later, with nothing pending in between.
    await advance(10_000_000);
    schedule.add('later', 10_002_000);
    await advance(10_001_999);
    assert.deepEqual(expired, ['first']);
    await advance(10_002_000);
    assert.deepEqual(expired, ['first', 'later']);
    schedule.close();
  });
});
