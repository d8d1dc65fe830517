/**
 * `idle`: how many authenticated, heartbeating, otherwise idle WebSocket
 * connections one node holds, and what each costs in memory, against a bare
 * `ws` server holding as many in the same run.
 *
 * Per size N (default 10,000 and 50,000; `--connections=N`; `--quick`: 400):
 *  1. a fresh data folder with N/10 users seeded directly into the server's
 *     migrated schema (10 devices each: the default per-user cap), tokens
 *     minted with the server's secret;
 *  2. two target processes, each with bench/lib/memory-preload.mjs: the chat
 *     server and the bare idle server (bench/relay/idle-server.ts);
 *  3. driver processes (bench/lib/scale-driver.ts), at most 8,000 connections
 *     each, from 127.0.x.y source addresses (10,000 per address: under the
 *     ~28k ephemeral ports of each); first N to the bare server, then N to the
 *     chat server (hello … sync:done each);
 *  4. memory after two full collections, before and after the connections
 *     (RSS and V8 heap), per connection; the chat server then holds them for
 *     `--hold=SECONDS` (60; quick 3) while every client pings once per
 *     heartbeat period (the server's `heartbeatSeconds`; quick: 1 s), and
 *     every connection must still be open and every ping answered;
 *  5. when the chat server costs more than 2× per connection, or with
 *     `--heap-snapshot`, heap snapshots before and after tell which classes
 *     hold the difference.
 *
 * A process holds one descriptor per connection: a size beyond the
 * open-file limit (`ulimit -n`, which an unprivileged process cannot raise
 * past its hard limit) is capped, and the report says so.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heapGrowthPerConnection, type PerConnectionClass, summarizeHeapSnapshot } from '../lib/heap-summary.js';
import type { ClientSpec, Target } from '../lib/idle-clients.js';
import { sleep, sourceAddress } from '../lib/idle-clients.js';
import { numberOption } from '../lib/options.js';
import { rssBytes } from '../lib/proc-stats.js';
import { Progress, timedProgress } from '../lib/progress.js';
import { type Chart, describeMachine, type Goal, type Row, writeReport } from '../lib/report.js';
import {
  ask,
  closeSeedDatabase,
  ensureBuilt,
  forkDriver,
  freePorts,
  type MemoryUsage,
  MiB,
  memoryPreloadEnv,
  mintTokens,
  openFileLimit,
  openSeedDatabase,
  readMemory,
  resultsDir,
  round1,
  round2,
  scaleServerEnv,
  seedUsers,
  serverBuild,
  startIdleServer,
  startScaleServer,
  writeHeapSnapshot,
} from '../lib/scale.js';
import type { ScenarioOptions } from '../run.js';

const DEVICES_PER_USER = 10;
const PER_DRIVER = 8000;
const CONCURRENCY_PER_DRIVER = 64;
/** Descriptors a target process needs besides its connections (database, threads, logs, listeners). */
const FD_RESERVE = 200;
const GOAL_RATIO = 2;
const GOAL_CONNECTIONS = 50_000;
const DRIVER = join(import.meta.dirname, '..', 'lib', 'scale-driver.ts');

interface DriverStatus {
  clients: number;
  ready: number;
  pingsSent: number;
  pongs: number;
  unexpectedCloses: number;
  closeCodes: Record<string, number>;
  failures: number;
  firstFailure: string | null;
  ms?: number;
}

interface Phase {
  target: Target;
  requested: number;
  opened: number;
  failures: number;
  firstFailure: string | null;
  connectSeconds: number;
  before: MemoryUsage;
  after: MemoryUsage;
  rssSeries: [number, number][];
  held?: DriverStatus;
  holdSeconds?: number;
}

interface SizeResult {
  requested: number;
  connections: number;
  capped: boolean;
  bare: Phase;
  chat: Phase;
  heap?: PerConnectionClass[];
}

const perConnection = (phase: Phase, field: keyof MemoryUsage) =>
  phase.opened > 0 ? (phase.after[field] - phase.before[field]) / phase.opened : Number.NaN;

function sumStatus(list: DriverStatus[]): DriverStatus {
  const closeCodes: Record<string, number> = {};
  for (const s of list) for (const [k, v] of Object.entries(s.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
  return {
    clients: list.reduce((a, s) => a + s.clients, 0),
    ready: list.reduce((a, s) => a + s.ready, 0),
    pingsSent: list.reduce((a, s) => a + s.pingsSent, 0),
    pongs: list.reduce((a, s) => a + s.pongs, 0),
    unexpectedCloses: list.reduce((a, s) => a + s.unexpectedCloses, 0),
    closeCodes,
    failures: list.reduce((a, s) => a + s.failures, 0),
    firstFailure: list.find((s) => s.firstFailure)?.firstFailure ?? null,
  };
}

/** Opens every spec from the drivers (a slice each) and samples the target's RSS meanwhile. */
async function openAll(
  drivers: ReturnType<typeof forkDriver>[],
  target: Target,
  specs: ClientSpec[],
  pid: number,
  rssSeries: [number, number][],
  started: number,
  heartbeatMs: number,
): Promise<DriverStatus> {
  const progress = new Progress(`  ${target} connections`, specs.length, { unit: 'conn' });
  const readyBy = new Map<number, number>();
  const onProgress = (i: number) => (message: { type?: string; ready?: number }) => {
    if (message.type !== 'progress') return;
    readyBy.set(i, message.ready ?? 0);
    progress.update([...readyBy.values()].reduce((a, b) => a + b, 0));
  };
  const listeners = drivers.map((d, i) => {
    const listener = onProgress(i);
    d.on('message', listener);
    return listener;
  });
  const sampler = setInterval(() => rssSeries.push([(performance.now() - started) / 1000, rssBytes(pid) / MiB]), 500);
  try {
    const slice = Math.ceil(specs.length / drivers.length);
    const results = await Promise.all(
      drivers.map((driver, i) =>
        ask<DriverStatus>(driver, {
          type: 'connect',
          target,
          specs: specs.slice(i * slice, (i + 1) * slice),
          concurrency: CONCURRENCY_PER_DRIVER,
          heartbeatMs,
        }),
      ),
    );
    const total = sumStatus(results);
    progress.update(total.ready);
    progress.finish();
    return total;
  } finally {
    clearInterval(sampler);
    drivers.forEach((d, i) => {
      const listener = listeners[i];
      if (listener) d.off('message', listener);
    });
  }
}

async function runSize(requested: number, quick: boolean, holdSeconds: number, snapshot: boolean): Promise<SizeResult> {
  const limit = openFileLimit();
  const connections = Math.min(requested, limit - FD_RESERVE);
  const capped = connections < requested;
  console.log(
    `idle: ${connections.toLocaleString('en')} connections${capped ? ` (asked ${requested.toLocaleString('en')}: capped by the open-file limit ${limit})` : ''}`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-idle-'));
  const users = Math.ceil(connections / DEVICES_PER_USER);
  const db = await openSeedDatabase(dataDir);
  const userIds = seedUsers(db, 'idle', users);
  closeSeedDatabase(db);
  const tokens = await mintTokens(userIds);

  const [chatMemoryPort = 0, bareMemoryPort = 0] = await freePorts(2);
  const server = await startScaleServer({ ...scaleServerEnv(dataDir), ...memoryPreloadEnv(chatMemoryPort) });
  const bare = await startIdleServer(bareMemoryPort);
  const drivers = Array.from({ length: Math.ceil(connections / PER_DRIVER) }, () => forkDriver(DRIVER));
  const killAll = () => {
    server.child.kill('SIGKILL');
    bare.child.kill('SIGKILL');
    for (const d of drivers) d.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const serverPid = server.child.pid ?? 0;
  const snapshots = join(dataDir, 'snapshots');
  if (snapshot) await mkdir(snapshots, { recursive: true });
  try {
    const chatWs = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const bareWs = bare.url.replace(/^http/, 'ws');
    const settleMs = quick ? 1000 : 5000;
    const periodMs = quick ? 1000 : 30_000;

    const phase = async (target: Target, memoryPort: number, pid: number): Promise<Phase> => {
      const specs: ClientSpec[] = Array.from({ length: connections }, (_, i) => ({
        url:
          target === 'bare'
            ? `${bareWs}/`
            : `${chatWs}?token=${tokens[Math.floor(i / DEVICES_PER_USER)]}&deviceId=d${i % DEVICES_PER_USER}`,
        // Each phase its own addresses: the other phase's closed ports may still be in TIME_WAIT.
        localAddress: sourceAddress(target === 'bare' ? 1 : 2, i),
      }));
      await sleep(500);
      const before = await readMemory(memoryPort);
      if (snapshot && target === 'chat') await writeHeapSnapshot(memoryPort, join(snapshots, 'before.heapsnapshot'));
      const started = performance.now();
      const rssSeries: [number, number][] = [];
      const opened = await openAll(drivers, target, specs, pid, rssSeries, started, periodMs);
      const connectSeconds = (performance.now() - started) / 1000;
      await sleep(settleMs);
      const after = await readMemory(memoryPort);
      rssSeries.push([(performance.now() - started) / 1000, after.rss / MiB]);
      return {
        target,
        requested: connections,
        opened: opened.ready,
        failures: opened.failures,
        firstFailure: opened.firstFailure,
        connectSeconds,
        before,
        after,
        rssSeries,
      };
    };

    const barePhase = await phase('bare', bareMemoryPort, bare.pid);
    await Promise.all(drivers.map((d) => ask(d, { type: 'close' })));
    await sleep(1000);

    const chatPhase = await phase('chat', chatMemoryPort, serverPid);

    // Hold: every client goes on pinging once per heartbeat period (from its connect on); nothing may close.
    const holdStarted = performance.now();
    const bar = timedProgress('  holding', holdSeconds);
    const offset = chatPhase.rssSeries.at(-1)?.[0] ?? 0;
    while (performance.now() - holdStarted < holdSeconds * 1000) {
      await sleep(1000);
      chatPhase.rssSeries.push([offset + (performance.now() - holdStarted) / 1000, rssBytes(serverPid) / MiB]);
    }
    bar.stop();
    // No more pings; those in flight get their pongs.
    await Promise.all(drivers.map((d) => ask(d, { type: 'heartbeat', periodMs: 0 })));
    await sleep(2000);
    chatPhase.held = sumStatus(await Promise.all(drivers.map((d) => ask<DriverStatus>(d, { type: 'status' }))));
    chatPhase.holdSeconds = holdSeconds;

    let heap: PerConnectionClass[] | undefined;
    const ratio = perConnection(chatPhase, 'rss') / perConnection(barePhase, 'rss');
    if (snapshot) {
      await writeHeapSnapshot(chatMemoryPort, join(snapshots, 'after.heapsnapshot'));
      heap = heapGrowthPerConnection(
        summarizeHeapSnapshot(join(snapshots, 'before.heapsnapshot')),
        summarizeHeapSnapshot(join(snapshots, 'after.heapsnapshot')),
        chatPhase.opened,
      );
    } else if (ratio > GOAL_RATIO) {
      console.log(
        `  chat server costs ${round1(ratio)}× a bare connection: rerun with --heap-snapshot for the classes`,
      );
    }
    await Promise.all(drivers.map((d) => ask(d, { type: 'close' })));
    return { requested, connections, capped, bare: barePhase, chat: chatPhase, ...(heap ? { heap } : {}) };
  } finally {
    process.off('exit', killAll);
    for (const d of drivers) d.kill();
    await bare.stop();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const closeCodes = (status: DriverStatus) =>
  Object.entries(status.closeCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ') || 'none';

const kib = (bytes: number) => (Number.isNaN(bytes) ? 'n/a' : round1(bytes / 1024));

function rows(results: SizeResult[]): Row[] {
  return results.flatMap((r) =>
    [r.bare, r.chat].map((p) => ({
      target: p.target === 'chat' ? 'chat server' : 'bare ws',
      connections: p.opened,
      'connect s': round1(p.connectSeconds),
      'RSS before MiB': Math.round(p.before.rss / MiB),
      'RSS after MiB': Math.round(p.after.rss / MiB),
      'RSS KiB/conn': kib(perConnection(p, 'rss')),
      'heap KiB/conn': kib(perConnection(p, 'heapUsed')),
      'external KiB/conn': kib(perConnection(p, 'external')),
      'RSS ratio to bare': p.target === 'chat' ? round2(perConnection(p, 'rss') / perConnection(r.bare, 'rss')) : 1,
      'heap ratio to bare':
        p.target === 'chat' ? round2(perConnection(p, 'heapUsed') / perConnection(r.bare, 'heapUsed')) : 1,
      'held s': p.holdSeconds ?? '-',
      'open at end': p.held ? p.held.ready : '-',
      'pings / pongs': p.held ? `${p.held.pingsSent} / ${p.held.pongs}` : '-',
      'failed / closed': p.held ? `${p.failures} / ${p.held.unexpectedCloses}` : `${p.failures} / -`,
      'close codes': p.held ? closeCodes(p.held) : '-',
    })),
  );
}

export async function idleScenario({ quick }: ScenarioOptions): Promise<void> {
  const asked = numberOption('connections', 0);
  const sizes = asked > 0 ? [Math.round(asked)] : quick ? [400] : [10_000, GOAL_CONNECTIONS];
  const holdSeconds = numberOption('hold', quick ? 3 : 60);
  const snapshot = process.argv.includes('--heap-snapshot');
  ensureBuilt(quick);
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await runSize(size, quick, holdSeconds, snapshot));

  const largest = results.reduce((a, b) => (b.connections > a.connections ? b : a));
  const ratios = results.map((r) => perConnection(r.chat, 'rss') / perConnection(r.bare, 'rss'));
  const worstRatio = Math.max(...ratios);
  const heldOk = (r: SizeResult) =>
    r.chat.opened === r.connections &&
    r.chat.held !== undefined &&
    r.chat.held.ready === r.connections &&
    r.chat.held.unexpectedCloses === 0 &&
    r.chat.held.pongs === r.chat.held.pingsSent &&
    r.chat.held.pingsSent > 0;
  const goals: Goal[] = [
    {
      goal: `idle connection memory ≤ ${GOAL_RATIO}× a bare ws connection (RSS per connection)`,
      measured: results
        .map((r, i) => `${round2(ratios[i] ?? Number.NaN)}× at ${r.connections.toLocaleString('en')} connections`)
        .join('; '),
      met: worstRatio <= GOAL_RATIO,
    },
    {
      goal: `${GOAL_CONNECTIONS.toLocaleString('en')} idle connections held with heartbeats on one node`,
      measured:
        `${largest.chat.held?.ready ?? 0} of ${largest.connections.toLocaleString('en')} open after ${holdSeconds} s, ` +
        `${largest.chat.held?.pongs ?? 0} of ${largest.chat.held?.pingsSent ?? 0} pings answered` +
        (largest.capped
          ? ` (asked ${largest.requested.toLocaleString('en')}: this machine's open-file limit, ${openFileLimit()} per process, caps it)`
          : ''),
      met: largest.connections >= GOAL_CONNECTIONS && heldOk(largest),
    },
  ];
  const heap = results.find((r) => r.heap)?.heap;
  const notes = [
    'Memory is read inside each target process after two full garbage collections (bench/lib/memory-preload.mjs), before and after the connections; per connection = the difference / connections. RSS includes the V8 heap, buffers and native memory of sockets and TLS-free HTTP upgrade state, not kernel socket buffers.',
    'The bare ws server (bench/relay/idle-server.ts) accepts connections and answers each ping with a constant pong: no auth, no session, no timers. It is the floor of Node + ws on this machine, measured in the same run.',
    `Clients: ${DEVICES_PER_USER} devices per seeded user (tokens minted with the server's secret, no argon2 registration), from driver processes (at most ${PER_DRIVER} connections each) bound to 127.0.x.y source addresses. The chat clients wait for hello … sync:done; during the hold each pings once per period (${quick ? '1 s in --quick' : "30 s, the server's heartbeatSeconds"}) and the server must answer every ping and close nothing.`,
    `Open-file limit of this process tree: ${openFileLimit()} (soft = hard here; without CAP_SYS_RESOURCE it cannot be raised), so one process holds at most about ${openFileLimit() - FD_RESERVE} connections.`,
    'The machine is shared (2 cores, other work running): connect times are noisy; memory figures are not.',
    ...(heap
      ? [
          `Heap growth per connection by class (snapshots before/after, --heap-snapshot): ${heap
            .map((c) => `${c.name} ${c.perConnection}× ${c.bytesPerConnection} B`)
            .join('; ')}.`,
        ]
      : []),
  ];
  const charts: Chart[] = [
    {
      title: 'Target RSS while connections open and idle (chat server: then held with heartbeats)',
      xLabel: 'seconds since the first connection of the phase',
      yLabel: 'RSS (MiB)',
      series: results.flatMap((r) => [
        { name: `bare ws ${r.connections}`, points: r.bare.rssSeries.map(([x, y]) => [round1(x), round1(y)]) },
        { name: `chat ${r.connections}`, points: r.chat.rssSeries.map(([x, y]) => [round1(x), round1(y)]) },
      ]),
    },
  ];
  writeReport(
    {
      scenario: 'idle',
      description:
        'Authenticated idle WebSocket connections with heartbeats on one node: memory per connection against a bare `ws` server holding as many, and whether every connection stays open and answered.',
      machine: describeMachine(),
      parameters: {
        server: serverBuild(),
        sizes: sizes.join(' / '),
        devicesPerUser: DEVICES_PER_USER,
        holdSeconds,
        heartbeatPeriodSeconds: quick ? 1 : 30,
        openFileLimit: openFileLimit(),
      },
      rows: rows(results),
      notes,
      goals,
      charts,
    },
    resultsDir(),
  );
}
