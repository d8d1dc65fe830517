/**
 * `npm run bench -- fanout --quick`, small: a group of 64 and a channel of 200
 * with 20 online, run as the suite runs it (the server from sources, reports
 * to a temp folder); every online member got every message once and in order,
 * the latencies are measured and the chart is drawn.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from './lib/report.js';

const ROOT = join(import.meta.dirname, '..');
let dir = '';

describe('bench --quick: fanout', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-fanout-test-'));
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', 'fanout', '--quick', '--duration=1', '--channel=200', '--online=20'],
      { cwd: ROOT, env: { ...process.env, BENCH_RESULTS_DIR: dir }, encoding: 'utf8', timeout: 170_000 },
    );
    assert.equal(run.status, 0, `bench exited with ${run.status}:\n${`${run.stdout}\n${run.stderr}`.slice(-3000)}`);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('measures a group and a channel with every online member served exactly once, in order', () => {
    const report = JSON.parse(readFileSync(join(dir, 'fanout.json'), 'utf8')) as Report;
    assert.deepEqual(
      report.rows.map((row) => [row.target, row.online]),
      [
        ['group of 64', 64],
        ['channel of 200', 20],
      ],
    );
    for (const row of report.rows) {
      assert.equal(row['lost deliveries'], 0);
      assert.equal(row.duplicates, 0);
      assert.equal(row['out of order'], 0);
      assert.ok(Number(row['messages measured']) > 0);
      assert.ok(Number(row['to last p99 ms']) >= Number(row['to last p50 ms']));
      assert.ok(Number(row['ack p50 ms']) > 0);
    }
    const svg = readFileSync(join(dir, 'fanout.svg'), 'utf8');
    for (const series of report.charts?.[0]?.series ?? []) assert.ok(svg.includes(`data-series="${series.name}"`));
    assert.match(readFileSync(join(dir, 'fanout.md'), 'utf8'), /\]\(fanout\.svg\)/);
  });
});
