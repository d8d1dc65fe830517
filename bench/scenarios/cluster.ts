/**
 * `cluster`: the realtime benchmark's driver (bench/lib/ws-driver.ts) against
 * the embedded node (SQLite, in-process presence and bus) and against 1, 2 and
 * 3 scale-out nodes (separate processes on one PostgreSQL schema and one Redis
 * prefix of this run), in one run.
 *
 * With N > 1 nodes, pair i's sender connects to node i mod N and its receiver
 * to node (i + 1) mod N: every message crosses nodes over Redis. Loads: a fixed
 * rate (default 100 msg/s, `--rate=N`: latency at a load every target carries) and flat out (each
 * sender keeps 10 sends unacknowledged: throughput). The report gives delivered
 * msg/s and end-to-end p99 per target and the ratio to the embedded node.
 *
 * Options (after `npm run bench -- cluster`): `--quick` (20 pairs, flat-out
 * only, 3 s runs: under a minute), `--pairs=N`, `--duration=SECONDS`,
 * `--nodes=1,2,3`, `--rate=N`, `--ack-ms=N` (how often each connection sends its cumulative
 * delivery receipt, default 100). PostgreSQL and Redis come from DATABASE_URL / REDIS_URL
 * (defaults: the local test services); the schema and prefix are dropped after.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../../src/store/postgres/test-support.js';
import { freePort, type NodeProcess, spawnNode } from '../../src/testing/node-process.js';
import { dropPrefix } from '../../src/testing/services.js';
import { numberOption, option } from '../lib/options.js';
import { registerPairs } from '../lib/pairs.js';
import { ProcessSampler } from '../lib/proc-stats.js';
import { describeMachine, type Row, writeReport } from '../lib/report.js';
import { buildServer, startServerProcess } from '../lib/server-process.js';
import { summarize } from '../lib/stats.js';
import { type Load, type PairEndpoints, type RunResult, runLoad } from '../lib/ws-driver.js';
import type { ScenarioOptions } from '../run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTENT = 'realtime benchmark message '.padEnd(100, 'x');
const WINDOW = 10;
const SECRET = 'bench-secret-bench-secret-bench-secret!';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Deployment {
  name: string;
  nodes: number;
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

interface Measured {
  deployment: string;
  nodes: number;
  load: string;
  result: RunResult;
  p50: number;
  p99: number;
  ackP99: number;
  cpuPercent: number;
}

async function embedded(): Promise<Deployment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-cluster-'));
  const server = await startServerProcess({
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: SECRET,
    CHAT_MAX_CONNECTIONS_PER_IP: '100000',
    CHAT_MAX_CONNECTIONS_PER_USER: '1000',
  });
  return {
    name: 'embedded (SQLite)',
    nodes: 1,
    urls: [server.url],
    pids: [server.child.pid ?? 0],
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function scaleOut(count: number, run: string): Promise<Deployment> {
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
    nodes.push(await start(0));
    nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: `${count} node${count > 1 ? 's' : ''} (PostgreSQL + Redis)`,
    nodes: count,
    urls: nodes.map((n) => n.url),
    pids: nodes.map((n) => n.child.pid ?? 0),
    stop,
  };
}

/** Users and one direct conversation per pair (over REST, through node 0; not measured); senders and receivers spread. */
function setUp(deployment: Deployment, pairs: number): Promise<PairEndpoints[]> {
  const first = deployment.urls[0] ?? '';
  return registerPairs(first, pairs, {
    prefix: 'cl',
    // Pair i's sender on node i, its receiver on node i + 1: every message crosses nodes.
    wsUrl: (i, side, token) => {
      const url = deployment.urls[(i + side) % deployment.urls.length] ?? first;
      return `${url.replace(/^http/, 'ws')}/api/v1/ws?token=${token}&deviceId=bench`;
    },
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : n < 10 ? Math.round(n * 100) / 100 : round1(n));

let runCounter = 0;

async function measure(
  deployment: Deployment,
  pairs: PairEndpoints[],
  spec: { name: string; load: Load },
  timing: {
    warmupMs: number;
    durationMs: number;
    drainTimeoutMs: number;
    ackIntervalMs: number;
    maxUnackedPerSender?: number;
  },
): Promise<Measured> {
  const samplers = deployment.pids.map((pid) => new ProcessSampler(pid));
  runCounter++;
  const result = await runLoad({
    dialect: 'chat',
    pairs,
    load: spec.load,
    ...timing,
    ackIntervalMs: timing.ackIntervalMs,
    content: CONTENT,
    tag: `c${runCounter}${Date.now().toString(36)}`,
    onMeasureStart: () => {
      for (const s of samplers) s.start();
    },
    onMeasureEnd: () => {
      for (const s of samplers) s.stop();
    },
  });
  for (const s of samplers) s.finish();
  const e2e = summarize(result.e2eMs);
  const ack = summarize(result.ackMs);
  const measured: Measured = {
    deployment: deployment.name,
    nodes: deployment.nodes,
    load: spec.name,
    result,
    p50: e2e.p50,
    p99: e2e.p99,
    ackP99: ack.p99,
    cpuPercent: samplers.reduce((sum, s) => sum + s.cpuPercent, 0),
  };
  console.log(
    `${deployment.name.padEnd(28)} ${spec.name.padEnd(20)} ${Math.round(result.deliveredPerSecond)} msg/s delivered, ` +
      `e2e p50 ${ms(e2e.p50)} p99 ${ms(e2e.p99)} ms, ack p99 ${ms(ack.p99)} ms, server cpu ${Math.round(measured.cpuPercent)}%, ` +
      `driver cpu ${Math.round(result.driverCpuPercent)}%, sent ${result.sent} lost ${result.lost} dup ${result.duplicates} ` +
      `ooo ${result.outOfOrder} err ${result.errors} disconnects ${result.disconnects}` +
      (result.drainTimedOut ? ' (drain timed out)' : '') +
      (result.firstError ? ` first error: ${result.firstError}` : ''),
  );
  await new Promise((r) => setTimeout(r, 300));
  return measured;
}

export async function clusterScenario({ quick }: ScenarioOptions): Promise<void> {
  const pairCount = Math.round(numberOption('pairs', quick ? 20 : 60));
  const durationMs = numberOption('duration', quick ? 3 : 8) * 1000;
  const rate = Math.round(numberOption('rate', 100));
  const nodeCounts = (option('nodes') ?? '1,2,3')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const timing = {
    warmupMs: quick ? 250 : 1000,
    durationMs,
    drainTimeoutMs: (quick ? 5 : 60) * 1000,
    ackIntervalMs: numberOption('ack-ms', 100),
    ...(quick ? { maxUnackedPerSender: 50 } : {}),
  };
  const loads = [
    ...(quick
      ? []
      : [{ name: `${rate.toLocaleString('en')} msg/s`, load: { kind: 'rate', messagesPerSecond: rate } as Load }]),
    { name: `flat-out (window ${WINDOW})`, load: { kind: 'flat-out', window: WINDOW } as Load },
  ];

  buildServer();
  // The Redis Lua scripts are read from dist at run time.
  const copy = spawnSync(process.execPath, [join(ROOT, 'scripts', 'copy-assets.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (copy.status !== 0) throw new Error('copying the Lua scripts failed');

  const run = Date.now().toString(36);
  const factories: Array<() => Promise<Deployment>> = [embedded, ...nodeCounts.map((n) => () => scaleOut(n, run))];
  const results: Measured[] = [];
  let current: Deployment | null = null;
  const killAll = () => {
    for (const pid of current?.pids ?? []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);
  try {
    for (const factory of factories) {
      const started = performance.now();
      current = await factory();
      const pairs = await setUp(current, pairCount);
      console.log(`${current.name}: up with ${pairCount} pairs in ${Math.round(performance.now() - started)} ms`);
      for (const spec of loads) results.push(await measure(current, pairs, spec, timing));
      await current.stop();
      current = null;
    }
  } finally {
    await current?.stop();
  }

  const flatName = loads.at(-1)?.name ?? '';
  const base = (load: string) =>
    results.find((r) => r.deployment.startsWith('embedded') && r.load === load)?.result.deliveredPerSecond ??
    Number.NaN;
  const rows: Row[] = results.map((r) => ({
    deployment: r.deployment,
    nodes: r.nodes,
    load: r.load,
    'delivered msg/s': Math.round(r.result.deliveredPerSecond),
    'vs embedded': `${Math.round((r.result.deliveredPerSecond / base(r.load)) * 100)}%`,
    'e2e p50 ms': ms(r.p50),
    'e2e p99 ms': ms(r.p99),
    'ack p99 ms': ms(r.ackP99),
    'server CPU % (sum)': Math.round(r.cpuPercent),
    'driver CPU %': Math.round(r.result.driverCpuPercent),
    lost: r.result.drainTimedOut ? `${r.result.lost} (drain timed out)` : r.result.lost,
    duplicates: r.result.duplicates,
    'out of order': r.result.outOfOrder,
  }));
  const clean = results.every(
    (r) => !r.result.lost && !r.result.duplicates && !r.result.outOfOrder && !r.result.errors && !r.result.disconnects,
  );
  const machine = describeMachine();
  const flat = results.filter((r) => r.load === flatName);
  writeReport({
    scenario: 'cluster',
    description:
      'The realtime driver against the embedded node (SQLite, in-process presence and bus) and 1, 2 and 3 scale-out nodes ' +
      '(separate processes on PostgreSQL + Redis), senders and receivers spread over the nodes so every message crosses nodes.',
    machine,
    parameters: {
      pairs: pairCount,
      connections: pairCount * 2,
      warmupSeconds: timing.warmupMs / 1000,
      durationSeconds: durationMs / 1000,
      flatOutWindow: WINDOW,
      ackIntervalMs: timing.ackIntervalMs,
      contentBytes: CONTENT.length,
      quick: quick ? 'yes' : 'no',
    },
    rows,
    notes: [
      `Flat-out, delivered msg/s relative to the embedded node: ${flat
        .map(
          (r) =>
            `${r.deployment} ${Math.round(r.result.deliveredPerSecond)} (${Math.round((r.result.deliveredPerSecond / base(flatName)) * 100)}%)`,
        )
        .join('; ')}.`,
      clean
        ? 'Delivery check: every message sent in every run was received exactly once, in seq order.'
        : 'Delivery check: some run lost, duplicated, reordered or refused messages, or dropped connections (see the rows and the log).',
      `With N > 1 nodes pair i's sender is on node i mod N and its receiver on node (i+1) mod N, so every delivery goes through Redis pub/sub; ` +
        'registration and conversation set-up go through node 0 and are not measured.',
      `Machine: ${machine.cpus} cores shared by the driver, every node, PostgreSQL, Redis and (at the time of the run) other work. ` +
        'More nodes on the same cores cannot add CPU: these rows measure the cost of the scale-out path (PostgreSQL commit, Redis routing and pub/sub, ' +
        'the extra process hops), not the capacity of N machines. "server CPU %" sums the nodes (not PostgreSQL or Redis).',
      'One run per (deployment, load), no rounds: figures are noisy.',
    ],
  });
}
