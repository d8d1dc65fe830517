/** Readiness names exactly the dependencies that do not answer, each within its own time limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDependencies, NotReadyError } from './readiness.js';

const up = (name: string) => ({ name, check: async () => 'PONG' });
const failing = (name: string) => ({ name, check: () => Promise.reject(new Error('ECONNREFUSED')) });
const throwing = (name: string) => ({
  name,
  check: (): Promise<unknown> => {
    throw new Error('not connected');
  },
});
const silent = (name: string) => ({ name, check: () => new Promise<never>(() => {}) });

async function down(dependencies: Parameters<typeof checkDependencies>[0], timeoutMs = 100): Promise<NotReadyError> {
  try {
    await checkDependencies(dependencies, timeoutMs);
  } catch (error) {
    assert.ok(error instanceof NotReadyError, `a NotReadyError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected not ready');
}

describe('readiness', () => {
  it('is ready when every dependency answers', async () => {
    await checkDependencies([up('postgres'), up('redis')], 100);
  });

  it('names the one that failed, threw or stayed silent, and only it', async () => {
    assert.equal((await down([up('postgres'), failing('redis')])).message, 'redis does not answer');
    assert.equal((await down([throwing('postgres'), up('redis')])).message, 'postgres does not answer');
    const started = Date.now();
    const silentOne = await down([up('postgres'), silent('redis')], 150);
    assert.deepEqual(silentOne.down, ['redis']);
    assert.ok(Date.now() - started < 1_000, 'a silent dependency costs the time limit, not more');
  });

  it('names every one that is down', async () => {
    const both = await down([failing('postgres'), silent('redis')]);
    assert.deepEqual(both.down, ['postgres', 'redis']);
    assert.equal(both.message, 'postgres and redis do not answer');
  });
});
