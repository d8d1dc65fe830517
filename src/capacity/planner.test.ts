import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchFigures } from './bench-figures.js';
import { DEFAULT_FIGURES, formatBytes, formatCount, PRESETS, plan, report, validateInput } from './planner.js';

describe('capacity planner', () => {
  it('gives the system design’s figures for the WhatsApp preset', () => {
    const r = plan(PRESETS.whatsapp.input);
    assert.equal(`${formatCount(r.messagesPerSecond)}/s`, '231.5K/s');
    assert.equal(formatCount(r.messagesPerDay), '20.0B');
    assert.equal(formatBytes(r.textBytesPerDay), '2.0 TB');
    assert.equal(formatCount(r.mediaMessagesPerDay), '4.0B');
    assert.equal(formatBytes(r.mediaBytesPerDay), '2.0 PB');
    assert.equal(formatBytes(r.totalBytesPerDay), '2.0 PB');
    assert.equal(formatBytes(r.totalBytesPerYear), '730.7 PB');
    assert.equal(formatBytes(r.totalBytesRetention), '3653.7 PB');
    assert.equal(formatCount(r.concurrentConnections), '350.0M');
    assert.equal(formatCount(r.peakMessagesPerSecond), '694.4K');
  });

  it('sizes gateway nodes and write primaries from the figures', () => {
    const figures = {
      ...DEFAULT_FIGURES,
      nodeMessagesPerSecond: 1000,
      nodeConnections: 10_000,
      dbWritesPerSecond: 500,
    };
    const startup = plan(PRESETS.startup.input, figures);
    // 100K DAU × 30 / 86 400 × 3 = 104.2 msg/s peak; 70K connections.
    assert.equal(startup.gateway.nodesForThroughput, 1);
    assert.equal(startup.gateway.nodesForConnections, 7);
    assert.equal(startup.gateway.nodes, 7);
    assert.equal(startup.database.databases, 1);
    const whatsapp = plan(PRESETS.whatsapp.input, figures);
    assert.equal(whatsapp.gateway.nodesForThroughput, 695); // 694 444.4 / 1000
    assert.equal(whatsapp.gateway.nodesForConnections, 35_000);
    assert.equal(whatsapp.database.databases, 1389);
    const intranet = plan(PRESETS.intranet.input, figures);
    assert.equal(intranet.gateway.nodes, 1);
    assert.equal(formatCount(intranet.concurrentConnections), '2.8K');
  });

  it('lists every output in the report and refuses impossible inputs', () => {
    const lines = report(PRESETS.whatsapp.input, plan(PRESETS.whatsapp.input), DEFAULT_FIGURES);
    assert.equal(lines.length, 12);
    assert.ok(lines.some((line) => line.label === 'Total storage (5 yr)' && line.value === '3653.7 PB'));
    assert.equal(validateInput(PRESETS.intranet.input), null);
    assert.match(validateInput({ ...PRESETS.intranet.input, dailyActiveUsers: 10_000 }) ?? '', /exceed/);
    assert.match(validateInput({ ...PRESETS.intranet.input, mediaShare: 2 }) ?? '', /between/);
    assert.match(validateInput({ ...PRESETS.intranet.input, peakFactor: Number.NaN }) ?? '', /peakFactor/);
  });

  it('formats small and large values', () => {
    assert.equal(formatCount(42), '42');
    assert.equal(formatCount(1.25), '1.3');
    assert.equal(formatCount(2.5e12), '2.5T');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1_500_000), '1.5 MB');
  });
});

describe('benchmark figures', () => {
  it('reads the chat server’s flat-out rate and the group-commit rate from bench/results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capacity-'));
    try {
      await writeFile(
        join(dir, 'realtime.json'),
        JSON.stringify({
          rows: [
            { target: 'bare relay', load: 'flat-out (window 10)', 'delivered msg/s': 17000 },
            { target: 'chat server', load: 'flat-out (window 10)', 'delivered msg/s': 2326 },
          ],
        }),
      );
      await writeFile(
        join(dir, 'store.json'),
        JSON.stringify({
          rows: [{ configuration: 'store, 50 concurrent senders (group commit)', 'messages/s (median)': 3690 }],
        }),
      );
      const figures = await loadBenchFigures(dir);
      assert.equal(figures.nodeMessagesPerSecond, 2326);
      assert.equal(figures.dbWritesPerSecond, 3690);
      assert.equal(figures.nodeConnections, DEFAULT_FIGURES.nodeConnections);
      assert.match(figures.sources.nodeMessagesPerSecond, /realtime\.json/);
      assert.equal(figures.sources.nodeConnections, 'default');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prefers direct.json (the scenario realtime became) to realtime.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capacity-'));
    try {
      const flatOut = (rate: number) =>
        JSON.stringify({ rows: [{ target: 'chat server', load: 'flat-out (window 10)', 'delivered msg/s': rate }] });
      await writeFile(join(dir, 'realtime.json'), flatOut(1000));
      await writeFile(join(dir, 'direct.json'), flatOut(4000));
      const figures = await loadBenchFigures(dir);
      assert.equal(figures.nodeMessagesPerSecond, 4000);
      assert.match(figures.sources.nodeMessagesPerSecond, /^direct\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the defaults without reports', async () => {
    const figures = await loadBenchFigures(join(tmpdir(), 'no-such-bench-results'));
    assert.deepEqual(figures, DEFAULT_FIGURES);
  });
});
