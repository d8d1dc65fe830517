/**
 * The benchmark suite end to end, in --quick mode and small: relay-baseline,
 * direct and group run as `npm run bench` runs them (one child process, the
 * server from sources), writing to a temp folder; the reports, their charts and
 * their figures must be there and sane.
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
let output = '';

function report(name: string): Report {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Report;
}

function rowsOf(r: Report, target: string): Record<string, string | number>[] {
  return r.rows.filter((row) => row.target === target);
}

function assertCharts(name: string, r: Report): void {
  const markdown = readFileSync(join(dir, `${name}.md`), 'utf8');
  assert.ok(r.charts?.length, `${name} has charts`);
  r.charts?.forEach((chart, i) => {
    const file = i === 0 ? `${name}.svg` : `${name}-${i + 1}.svg`;
    const svg = readFileSync(join(dir, file), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\s*$/);
    for (const s of chart.series) assert.ok(svg.includes(`data-series="${s.name}"`), `${file} draws ${s.name}`);
    assert.ok(markdown.includes(`](${file})`), `${name}.md embeds ${file}`);
  });
  assert.match(markdown, /Machine: \d+ × .+, \d+ GiB, Node v\d+/);
  assert.match(markdown, /Baseline measured in this run/);
}

describe('bench --quick: relay-baseline, direct, group', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-test-'));
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        'relay-baseline',
        'direct',
        'group',
        '--quick',
        '--pairs=10',
        '--duration=1',
        '--sizes=8,24',
      ],
      { cwd: ROOT, env: { ...process.env, BENCH_RESULTS_DIR: dir }, encoding: 'utf8', timeout: 170_000 },
    );
    output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `bench exited with ${run.status}:\n${output.slice(-3000)}`);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('relay-baseline: the relay delivered what was sent, flat out faster than the fixed rate', () => {
    const r = report('relay-baseline');
    assert.equal(r.machine.cpus > 0, true);
    assert.match(r.machine.commit, /\w/);
    const [fixed, flat] = rowsOf(r, 'bare relay');
    assert.ok(fixed && flat);
    assert.ok(Number(fixed['delivered msg/s']) > 500, `1,000 msg/s row delivered ${fixed['delivered msg/s']}`);
    assert.ok(Number(flat['delivered msg/s']) > 0);
    assert.equal(fixed.lost, 0);
    assert.equal(flat.duplicates, 0);
    assert.ok((r.baseline?.deliveredPerSecond ?? 0) > 0);
    assertCharts('relay-baseline', r);
  });

  it('direct: server and relay side by side, goals stated, a ratio to the relay', () => {
    const r = report('direct');
    const server = rowsOf(r, 'chat server');
    assert.equal(server.length, 2, 'a 1,000 msg/s row and a flat-out row');
    for (const row of server) {
      assert.ok(Number(row['delivered msg/s']) > 0);
      assert.ok(Number(row['e2e p50 ms']) > 0 && Number(row['e2e p99 ms']) >= Number(row['e2e p50 ms']));
      assert.equal(row.duplicates, 0);
      assert.equal(row['out of order'], 0);
      assert.ok(Number(row['RSS MiB']) > 10, 'server RSS sampled');
    }
    assert.equal(rowsOf(r, 'bare relay').length, 2);
    assert.ok(
      r.rows.some(
        (row) => row.target === 'ratio' && /chat server = \d+% of relay/.test(String(row['delivered msg/s'])),
      ),
    );
    assert.ok(r.goals?.some((g) => g.goal.includes('50%')));
    assert.ok(r.goals?.some((g) => g.goal.includes('1,000 msg/s')));
    assert.match(r.baseline?.ratio ?? '', /chat server = \d+% of relay/);
    assertCharts('direct', r);
  });

  it('group: every member got every message, the tail latency is measured', () => {
    const r = report('group');
    assert.deepEqual(
      r.rows.map((row) => row.members),
      [8, 24],
    );
    for (const row of r.rows) {
      assert.equal(row['lost deliveries'], 0);
      assert.equal(row.duplicates, 0);
      assert.ok(Number(row['messages measured']) > 0);
      assert.ok(Number(row['to last p99 ms']) >= Number(row['to first p50 ms']));
    }
    assertCharts('group', r);
  });

  it('shows progress on stderr', () => {
    assert.match(output, /runs \[[#-]+\] \d+\/\d+/);
  });
});
