/**
 * A short chaos run (about 30 s, embedded) must pass every invariant; the
 * negative control (acks before commit) under kill -9 must be caught losing
 * acknowledged messages. `npm run chaos` is the full-size run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, renderText } from './report.js';
import { defaultOptions, runChaos } from './run.js';

const quiet = () => {};

describe('chaos run (embedded, short)', { concurrency: false }, () => {
  it('survives kill -9, SIGSTOP and socket drops with every invariant held', async () => {
    const outcome = await runChaos({
      ...defaultOptions(false),
      seed: 7,
      durationMs: 30_000,
      clients: 40,
      conversations: 12,
      ratePerSecond: 20,
      killEveryMs: 10_000,
      // No leaves in this short run (`npm run chaos` has them): findings.test.ts covers a device that was
      // offline while its user left, deterministically.
      churnEveryMs: 0,
      settleTimeoutMs: 30_000,
      log: quiet,
    });
    const report = buildReport(outcome);
    const kills = report.faults.find((f) => f.kind === 'kill9');
    assert.ok(outcome.result.passed, renderText(report));
    assert.ok((kills?.injected ?? 0) >= 2 && kills?.survived === kills?.injected, 'two kill -9, both recovered');
    assert.ok(outcome.result.counts.acked >= 400, `${outcome.result.counts.acked} sends acknowledged`);
    assert.equal(outcome.result.counts.delivered, outcome.result.counts.expectedDeliveries);
  });

  it('catches the negative control: acks before commit lose messages under kill -9', async () => {
    const outcome = await runChaos({
      ...defaultOptions(false),
      seed: 11,
      durationMs: 16_000,
      clients: 20,
      conversations: 8,
      ratePerSecond: 30,
      killEveryMs: 5_000,
      churnEveryMs: 0,
      settleTimeoutMs: 15_000,
      unsafeAckBeforeCommit: true,
      log: quiet,
    });
    assert.equal(outcome.result.passed, false);
    assert.ok(outcome.result.counts.lost > 0, `lost ${outcome.result.counts.lost}`);
  });
});
