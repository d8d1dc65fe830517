/** The queue worker on a real SQLite queue: completion, exponential backoff, giving up. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../observability/logger.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';
import { waitFor } from '../testing/ws.js';
import type { Job } from './queue/queue.js';
import { backoffMs, PushWorker } from './worker.js';

describe('backoffMs', () => {
  it('doubles per attempt within ±50 %, capped at an hour', () => {
    assert.equal(
      backoffMs(1, 1000, () => 0.5),
      1000,
    );
    assert.equal(
      backoffMs(4, 1000, () => 0.5),
      8000,
    );
    assert.equal(
      backoffMs(4, 1000, () => 0),
      4000,
    );
    assert.equal(
      backoffMs(4, 1000, () => 0.999),
      11_992,
    );
    assert.equal(
      backoffMs(40, 1000, () => 0.5),
      3_600_000,
    );
  });
});

describe('PushWorker', () => {
  let dir: string;
  let storage: Storage;
  const logger = createLogger('silent');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-push-worker-'));
    storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  });
  after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const options = { pollMs: 50, batch: 4, leaseMs: 10_000, maxAttempts: 3, retryBaseMs: 40 };

  it('runs due jobs, retries a failing one with growing delays, and gives up after maxAttempts', async () => {
    const runs: { payload: unknown; attempt: number; at: number }[] = [];
    const worker = new PushWorker(
      storage.pushQueue,
      {
        test: async (job: Job) => {
          runs.push({ payload: job.payload, attempt: job.attempt, at: Date.now() });
          if (job.payload === 'fails') throw new Error('provider down');
          return { done: true };
        },
      },
      options,
      logger,
    );
    worker.start();
    const now = Date.now();
    await storage.pushQueue.enqueue([
      { kind: 'test', key: null, payload: 'ok', runAt: now },
      { kind: 'test', key: null, payload: 'fails', runAt: now },
    ]);
    worker.wake(now);
    await waitFor('the queue to empty', async () => ((await storage.pushQueue.depth()) === 0 ? true : undefined), 5000);
    await worker.stop();
    assert.deepEqual(
      runs.filter((r) => r.payload === 'ok').map((r) => r.attempt),
      [1],
    );
    const failing = runs.filter((r) => r.payload === 'fails');
    assert.deepEqual(
      failing.map((r) => r.attempt),
      [1, 2, 3],
      'three attempts, then dropped',
    );
    const [a, b, c] = failing.map((r) => r.at);
    assert.ok(a !== undefined && b !== undefined && c !== undefined);
    // Backoff 40 ms then 80 ms, ±50 %.
    assert.ok(b - a >= 20, `first retry after ${b - a} ms`);
    assert.ok(c - b >= 40, `second retry after ${c - b} ms`);
  });

  it('retries at the time a handler asks', async () => {
    const runs: number[] = [];
    const worker = new PushWorker(
      storage.pushQueue,
      {
        test: async (job: Job) => {
          runs.push(Date.now());
          return job.attempt === 1 ? { done: false, retryAt: Date.now() + 300, error: 'rate limited' } : { done: true };
        },
      },
      options,
      logger,
    );
    worker.start();
    await storage.pushQueue.enqueue([{ kind: 'test', key: null, payload: 'x', runAt: Date.now() }]);
    worker.wake(Date.now());
    await waitFor('two runs', () => (runs.length >= 2 ? true : undefined), 5000);
    await worker.stop();
    const [first, second] = runs;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(second - first >= 290, `retried after ${second - first} ms`);
  });
});
