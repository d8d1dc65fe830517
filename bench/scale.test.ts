/**
 * The scale scenarios end to end in --quick mode (idle, history,
 * reconnect-storm): each starts its server on a fresh data folder, drives it
 * from separate processes, and writes a report whose numbers must be sane —
 * every connection held and answered, every page full, every client resumed
 * with exactly its pending messages. Reports go to a temporary folder, so the
 * real results in bench/results stay as they are.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from './lib/report.js';

const ROOT = join(import.meta.dirname, '..');
const results = mkdtempSync(join(tmpdir(), 'bench-scale-test-'));

function report(name: string): Report {
  return JSON.parse(readFileSync(join(results, `${name}.json`), 'utf8')) as Report;
}

function num(value: string | number | undefined): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Runs `bench/run.ts NAME --quick …` and resolves with its exit code and output. */
function runScenario(name: string, extra: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), name, '--quick', ...extra],
      {
        cwd: ROOT,
        // dist/ is built (when stale) once, before the three run side by side.
        env: { ...process.env, BENCH_RESULTS_DIR: results, BENCH_SKIP_BUILD: '1' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', (status) => resolve({ status, output }));
  });
}

before(async () => {
  // Side by side: most of each run is waiting (connection ramps, holds, backoff), not computing.
  const runs = await Promise.all([
    runScenario('idle', ['--connections=200', '--hold=2']),
    runScenario('history', ['--messages=5000', '--total=30000', '--samples=40']),
    runScenario('reconnect-storm', ['--clients=200', '--rounds=2']),
  ]);
  for (const run of runs) assert.equal(run.status, 0, `bench run failed:\n${run.output.slice(-4000)}`);
});
after(() => rmSync(results, { recursive: true, force: true }));

describe('scale scenarios (--quick)', { timeout: 300_000 }, () => {
  it('idle: every connection opened, held and answered; memory per connection measured against bare ws', () => {
    const r = report('idle');
    const bare = r.rows.find((row) => row.target === 'bare ws');
    const chat = r.rows.find((row) => row.target === 'chat server');
    assert.ok(bare && chat, 'a row per target');
    assert.equal(bare.connections, 200);
    assert.equal(chat.connections, 200);
    assert.equal(chat['open at end'], 200);
    const [pings, pongs] = String(chat['pings / pongs']).split(' / ').map(Number);
    assert.ok((pings ?? 0) >= 200, `every client pinged during the hold (${pings})`);
    assert.equal(pongs, pings, 'every ping answered');
    assert.equal(chat['failed / closed'], '0 / 0');
    // 200 connections move RSS by less than its noise; the heap after a full collection is exact enough.
    for (const row of [bare, chat]) {
      const kib = num(row['heap KiB/conn']);
      assert.ok(kib > 0 && kib < 1024, `heap per connection is plausible: ${kib} KiB`);
    }
    assert.ok(num(chat['heap ratio to bare']) > 0);
    assert.equal(r.goals?.length, 2);
    assert.ok(existsSync(join(results, 'idle.svg')), 'the chart is drawn');
  });

  it('history: full pages and search results, latencies measured', () => {
    const r = report('history');
    assert.equal(r.parameters.totalMessages, 30_000);
    assert.equal(r.parameters.conversationMessages, 5000);
    const pages = r.rows.filter((row) => String(row.request).includes('page'));
    assert.equal(pages.length, 3);
    for (const row of pages) {
      assert.equal(row['results/request'], 50, `${row.request} returns full pages`);
      assert.ok(num(row['p50 ms']) > 0 && num(row['p99 ms']) >= num(row['p50 ms']), `${row.request} latencies`);
    }
    const common = r.rows.find((row) => row.request === 'search "dinner"');
    assert.ok(common, 'the common term is searched');
    assert.equal(common['results/request'], 20, 'a common word fills the page');
    assert.ok(num(common['p50 ms']) > 0);
    assert.equal(r.goals?.length, 2);
    assert.ok(existsSync(join(results, 'history.svg')));
  });

  it('reconnect-storm: every client resumed with exactly its pending messages, in every storm', () => {
    const r = report('reconnect-storm');
    assert.equal(r.rows.length, 2, 'a row per storm');
    assert.equal(r.rows.filter((row) => String(row.round).includes('median')).length, 1, 'one storm is the median');
    for (const row of r.rows) {
      assert.equal(row.clients, 200);
      assert.equal(row.resumed, 200);
      assert.equal(row['wrong replays'], 0, 'each storm replays the same unacknowledged messages');
      assert.equal(row['failed attempts'], 0, 'no reconnect was refused');
      const seconds = num(row['all resumed s']);
      assert.ok(seconds > 0 && seconds < 30, `all resumed within the deadline (${row['all resumed s']})`);
      assert.ok(num(row['RSS peak MiB']) >= num(row['RSS before MiB']));
    }
    assert.ok(existsSync(join(results, 'reconnect-storm.svg')));
  });
});
