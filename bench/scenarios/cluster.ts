/**
 * `cluster`: the `direct` driver against 1, 2 and 3 scale-out nodes (separate
 * processes on one PostgreSQL schema and one Redis prefix per deployment),
 * beside the embedded node (SQLite) and the bare relay, all in one run and
 * interleaved like `direct`.
 *
 * With N > 1 nodes, pair i's sender connects to node i mod N and its receiver
 * to node (i + 1) mod N: every message crosses nodes over Redis. Loads: a fixed
 * rate (default 100 msg/s, `--rate=N`: latency at a load every deployment
 * carries) and flat out (10 sends unacknowledged per sender: throughput).
 *
 * Options: `--quick` (20 pairs, flat out only, 2 s runs), `--pairs=N`,
 * `--duration=SECONDS`, `--rounds=N`, `--nodes=1,2,3`, `--rate=N`, `--ack-ms=N`.
 * PostgreSQL and Redis come from DATABASE_URL / REDIS_URL (defaults: the local
 * test services); the schemas and prefixes are dropped after.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../../src/store/postgres/test-support.js';
import { freePort, type NodeProcess, spawnNode } from '../../src/testing/node-process.js';
import { dropPrefix } from '../../src/testing/services.js';
import {
  compare,
  comparisonRows,
  deliveredMedian,
  deliveryNote,
  latencyChart,
  ratioRows,
  relayBaseline,
  runsForJson,
  throughputChart,
} from '../lib/compare.js';
import { numberOption, option } from '../lib/options.js';
import { registerPairs } from '../lib/pairs.js';
import { describeMachine, type Row, writeReport } from '../lib/report.js';
import { buildServer } from '../lib/server-process.js';
import { CONTENT, chatTarget, relayTarget, SECRET, type Target } from '../lib/targets.js';
import { runLoad } from '../lib/ws-driver.js';
import type { ScenarioOptions } from '../run.js';
import { FLAT_OUT, rateLoad, wsTiming } from './direct.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function scaleOutTarget(count: number, run: string, pairs: number): Promise<Target> {
  const schema = `bench_cluster_${run}_${count}`;
  const prefix = `bench-cluster:${run}:${count}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-cluster-'));
  const env = {
    DATABASE_URL,
    CHAT_DATABASE_SCHEMA: schema,
    REDIS_URL,
    CHAT_REDIS_PREFIX: prefix,
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: SECRET,
    CHAT_MAX_CONNECTIONS_PER_IP: '100000',
    CHAT_MAX_CONNECTIONS_PER_USER: '1000',
    CHAT_MESSAGE_RATE_PER_SECOND: '1000000',
    CHAT_MESSAGE_RATE_BURST: '1000000',
    LOG_LEVEL: 'warn',
  };
  const nodes: NodeProcess[] = [];
  const start = async (i: number) =>
    spawnNode({ id: `bench-${i}`, port: await freePort(), env, from: 'dist', readyTimeoutMs: 60_000 });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop(5_000)));
    await dropSchema(DATABASE_URL, schema);
    await dropPrefix(prefix, REDIS_URL);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // The first node migrates the schema; the others start on it.
    nodes.push(await start(0));
    nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))));
    const urls = nodes.map((n) => n.url);
    const endpoints = await registerPairs(urls[0] ?? '', pairs, {
      prefix: 'cl',
      // Pair i's sender on node i, its receiver on node i + 1: every message crosses nodes.
      wsUrl: (i, side, token) =>
        `${(urls[(i + side) % urls.length] ?? '').replace(/^http/, 'ws')}/api/v1/ws?token=${token}&deviceId=bench`,
    });
    return {
      name: `${count} node${count > 1 ? 's' : ''} (PostgreSQL + Redis)`,
      pids: nodes.map((n) => n.child.pid ?? 0),
      run: (load, timing, tag, hooks) =>
        runLoad({ dialect: 'chat', pairs: endpoints, load, ...timing, content: CONTENT, tag, ...hooks }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function clusterScenario({ quick }: ScenarioOptions): Promise<void> {
  const pairs = Math.round(numberOption('pairs', quick ? 20 : 60));
  const { rounds, bucketMs, ...timing } = wsTiming(quick);
  const rate = Math.round(numberOption('rate', 100));
  const nodeCounts = (option('nodes') ?? '1,2,3')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const loads = quick ? [FLAT_OUT] : [rateLoad(rate), FLAT_OUT];

  buildServer();
  // The Redis Lua scripts are read from dist at run time.
  const copy = spawnSync(process.execPath, [join(ROOT, 'scripts', 'copy-assets.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (copy.status !== 0) throw new Error('copying the Lua scripts failed');

  const run = Date.now().toString(36);
  const targets: Target[] = [];
  const killAll = () => {
    for (const pid of targets.flatMap((t) => t.pids)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);
  try {
    const relay = await relayTarget(pairs);
    targets.push(relay);
    const embedded = await chatTarget(pairs, { fromSource: false });
    embedded.name = 'embedded (SQLite)';
    targets.push(embedded);
    for (const n of nodeCounts) {
      const started = performance.now();
      targets.push(await scaleOutTarget(n, run, pairs));
      console.log(`${n} node(s): up with ${pairs} pairs in ${Math.round(performance.now() - started)} ms`);
    }

    const cmp = await compare({ targets: [...targets], loads, rounds, timing, bucketMs });
    const embeddedFlat = deliveredMedian(cmp, embedded, FLAT_OUT);
    const vsEmbedded: Row[] = targets.slice(2).map((t) => ({
      target: 'ratio',
      load: FLAT_OUT.name,
      'delivered msg/s': `${t.name} = ${Math.round((deliveredMedian(cmp, t, FLAT_OUT) / embeddedFlat) * 100)}% of embedded`,
    }));
    const machine = describeMachine();
    writeReport({
      scenario: 'cluster',
      description:
        'The `direct` driver against the embedded node (SQLite, in-process presence and bus) and 1, 2 and 3 scale-out nodes ' +
        '(separate processes on PostgreSQL + Redis), senders and receivers spread over the nodes so every message crosses nodes; the bare relay beside them.',
      machine,
      parameters: {
        pairs,
        connections: pairs * 2,
        rounds,
        warmupSeconds: timing.warmupMs / 1000,
        durationSeconds: timing.durationMs / 1000,
        flatOutWindow: 10,
        ackIntervalMs: timing.ackIntervalMs,
        contentBytes: CONTENT.length,
        quick: quick ? 'yes' : 'no',
      },
      baseline: relayBaseline(
        cmp,
        relay,
        FLAT_OUT,
        pairs,
        targets
          .slice(1)
          .map(
            (t) =>
              `${t.name} = ${Math.round((deliveredMedian(cmp, t, FLAT_OUT) / deliveredMedian(cmp, relay, FLAT_OUT)) * 100)}%`,
          )
          .join(', '),
      ),
      rows: [...comparisonRows(cmp), ...ratioRows(cmp, relay, FLAT_OUT), ...vsEmbedded],
      charts: [
        ...loads.filter((l) => l.load.kind === 'rate').map((l) => latencyChart(cmp, l)),
        throughputChart(cmp, FLAT_OUT),
      ],
      notes: [
        deliveryNote(cmp, timing.drainTimeoutMs / 1000),
        `With N > 1 nodes pair i's sender is on node i mod N and its receiver on node (i+1) mod N, so every delivery goes through Redis pub/sub; ` +
          'registration and conversation set-up go through node 0 and are not measured. Every deployment stays up for the whole run; runs are interleaved.',
        `Machine: ${machine.cpus} cores shared by the driver, every node, PostgreSQL, Redis and (at the time of the run) other work. ` +
          'More nodes on the same cores cannot add CPU: these rows measure the cost of the scale-out path (PostgreSQL commit, Redis routing and pub/sub, ' +
          'the extra process hops), not the capacity of N machines. CPU % sums the nodes (not PostgreSQL or Redis).',
      ],
      runs: runsForJson(cmp),
    });
  } finally {
    process.off('exit', killAll);
    for (const t of targets) await t.stop();
  }
}
