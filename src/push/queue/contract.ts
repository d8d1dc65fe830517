/**
 * The PushQueue contract, run against every implementation (SQLite and
 * PostgreSQL) through a storage harness. Each test opens its own storage, so
 * claims never see another test's jobs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenStorage, StorageHarness } from '../../store/contract/harness.js';
import type { Job, NewJob, PushQueue } from './queue.js';

const T0 = 1_900_000_000_000;

function job(overrides: Partial<NewJob> = {}): NewJob {
  return { kind: 'test', key: null, payload: { n: 1 }, runAt: T0, ...overrides };
}

export function describePushQueue(name: string, open: OpenStorage): void {
  const withQueue = async (fn: (queue: PushQueue, harness: StorageHarness) => Promise<void>) => {
    const harness = await open();
    try {
      await fn(harness.storage.pushQueue, harness);
    } finally {
      await harness.cleanup();
    }
  };

  describe(`PushQueue contract: ${name}`, () => {
    it('claims only due jobs, with their payload and a first attempt', () =>
      withQueue(async (queue) => {
        await queue.enqueue([job({ payload: { to: 'a', list: [1, 2] } }), job({ runAt: T0 + 5_000 })]);
        const claimed = await queue.claim(T0, 10, 30_000);
        assert.equal(claimed.length, 1);
        assert.deepEqual(claimed[0]?.payload, { to: 'a', list: [1, 2] });
        assert.equal(claimed[0]?.attempt, 1);
        assert.equal(claimed[0]?.kind, 'test');
        assert.equal((await queue.claim(T0 + 4_999, 10, 30_000)).length, 0);
        assert.equal((await queue.claim(T0 + 5_000, 10, 30_000)).length, 1);
      }));

    it('merges a job into the pending job with its key, not into a claimed one', () =>
      withQueue(async (queue) => {
        assert.deepEqual(await queue.enqueue([job({ key: 'k', payload: 'first' })]), { created: 1, merged: 0 });
        assert.deepEqual(await queue.enqueue([job({ key: 'k', payload: 'second' }), job({ key: 'k' })]), {
          created: 0,
          merged: 2,
        });
        assert.equal(await queue.depth(), 1);
        const [first] = await queue.claim(T0, 10, 30_000);
        assert.equal(first?.payload, 'first');
        assert.equal(first?.key, 'k');
        // Claimed: a new job with the key is a new pending job.
        assert.deepEqual(await queue.enqueue([job({ key: 'k', payload: 'third' })]), { created: 1, merged: 0 });
        assert.equal(await queue.depth(), 2);
        // Jobs without a key never merge.
        assert.deepEqual(await queue.enqueue([job(), job()]), { created: 2, merged: 0 });
      }));

    it('never hands one job to two concurrent claims', () =>
      withQueue(async (queue) => {
        await queue.enqueue(Array.from({ length: 60 }, (_, n) => job({ payload: n, runAt: T0 - n })));
        const batches = await Promise.all(Array.from({ length: 6 }, () => queue.claim(T0, 15, 30_000)));
        const ids = batches.flat().map((claimed: Job) => claimed.id);
        assert.equal(ids.length, 60);
        assert.equal(new Set(ids).size, 60);
      }));

    it('leases a claim: claimable again only after the lease, and the stale attempt cannot finish it', () =>
      withQueue(async (queue) => {
        await queue.enqueue([job()]);
        const [first] = await queue.claim(T0, 1, 10_000);
        assert.ok(first);
        assert.equal(await queue.nextDueAt(), T0 + 10_000);
        assert.equal((await queue.claim(T0 + 9_999, 1, 10_000)).length, 0);
        const [again] = await queue.claim(T0 + 10_000, 1, 10_000);
        assert.equal(again?.id, first.id);
        assert.equal(again?.attempt, 2);
        assert.equal(await queue.complete(first.id, 1), false);
        assert.equal(await queue.retry(first.id, 1, T0, 'late'), false);
        assert.equal(await queue.complete(first.id, 2), true);
        assert.equal(await queue.depth(), 0);
        assert.equal(await queue.nextDueAt(), null);
      }));

    it('retries a job at the time given, with the next attempt', () =>
      withQueue(async (queue) => {
        await queue.enqueue([job({ payload: 'x' })]);
        const [first] = await queue.claim(T0, 1, 30_000);
        assert.ok(first);
        assert.equal(await queue.retry(first.id, 1, T0 + 2_000, 'provider answered 503'), true);
        assert.equal(await queue.nextDueAt(), T0 + 2_000);
        assert.equal((await queue.claim(T0 + 1_999, 1, 30_000)).length, 0);
        const [second] = await queue.claim(T0 + 2_000, 1, 30_000);
        assert.equal(second?.id, first.id);
        assert.equal(second?.attempt, 2);
        assert.equal(second?.payload, 'x');
      }));

    it('merges a retried job into a pending job with its key', () =>
      withQueue(async (queue) => {
        await queue.enqueue([job({ key: 'k' })]);
        const [running] = await queue.claim(T0, 1, 30_000);
        assert.ok(running);
        await queue.enqueue([job({ key: 'k', runAt: T0 + 500 })]);
        assert.equal(await queue.retry(running.id, 1, T0 + 100, 'again'), true);
        assert.equal(await queue.depth(), 1);
        const [left] = await queue.claim(T0 + 500, 5, 30_000);
        assert.notEqual(left?.id, running.id);
      }));

    it('keeps its jobs, claimed ones included, across a restart', () =>
      withQueue(async (queue, harness) => {
        assert.ok(harness.reopen, 'the harness reopens');
        await queue.enqueue([
          job({ key: 'a', payload: 'pending' }),
          job({ key: 'b', payload: 'claimed', runAt: T0 - 1 }),
        ]);
        const [claimed] = await queue.claim(T0 - 1, 1, 5_000);
        assert.equal(claimed?.payload, 'claimed');
        const reopened = await harness.reopen();
        assert.equal(await reopened.pushQueue.depth(), 2);
        const after = await reopened.pushQueue.claim(T0 + 5_000, 10, 5_000);
        assert.deepEqual(after.map((j) => j.payload).sort(), ['claimed', 'pending']);
      }));
  });
}
