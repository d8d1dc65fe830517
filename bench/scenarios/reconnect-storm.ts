/**
 * `reconnect-storm`: every client loses its connection at the same moment
 * (a network blip, a load balancer restart) and comes back with resume.
 *
 * `--clients=N` (default 10,000; quick 300) devices: N/5 users with 5 devices
 * each, paired into direct conversations holding `--pending=K` (5) messages no
 * device has acknowledged, seeded directly into the server's migrated schema.
 * Driver processes (bench/lib/scale-driver.ts, 127.0.x.y source addresses)
 * connect every device (hello, the K messages replayed, sync:done) and
 * acknowledge nothing. Then all connections are cut at once (the sockets
 * destroyed, no close frame: what the server sees of a network loss) and each
 * client reconnects as the SDK does: full-jitter exponential backoff (first
 * attempt within 1 s, then 2 s, 4 s … ceilings), retrying until `sync:done`.
 * Measured: time from the cut until every client has `sync:done` again, each
 * client's time to resume, failed attempts, the replay (each client must get
 * its K messages again), and the server's RSS over the storm. `--rounds=N`
 * (default 3, quick 1) storms on the same server, one after the other: the
 * goal is judged on the median, since one storm's time moves by seconds with
 * whatever else the machine runs.
 */

import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CpuProfile, summarizeProfile } from '../lib/cpu-profile.js';
import { type ClientSpec, sleep, sourceAddress } from '../lib/idle-clients.js';
import { numberOption } from '../lib/options.js';
import { rssBytes } from '../lib/proc-stats.js';
import { Progress } from '../lib/progress.js';
import { type Chart, describeMachine, type Goal, type Row, writeReport } from '../lib/report.js';
import {
  ask,
  closeSeedDatabase,
  ensureBuilt,
  forkDriver,
  MiB,
  mintTokens,
  openSeedDatabase,
  resultsDir,
  round1,
  scaleServerEnv,
  serverBuild,
  startScaleServer,
} from '../lib/scale.js';
import { percentile } from '../lib/stats.js';
import { seedStorm } from '../lib/storm-seed.js';
import type { ScenarioOptions } from '../run.js';

const DEVICES_PER_USER = 5;
const PER_DRIVER = 5000;
const GOAL_CLIENTS = 10_000;
const GOAL_SECONDS = 10;
const DRIVER = join(import.meta.dirname, '..', 'lib', 'scale-driver.ts');

interface ConnectStatus {
  ready: number;
  failures: number;
  firstFailure: string | null;
  replayed: number;
}

interface DropResult extends ConnectStatus {
  droppedAt: number;
  readyAfterMs: number[];
  wrongReplay: number;
  unexpectedCloses: number;
}

export async function reconnectStormScenario({ quick }: ScenarioOptions): Promise<void> {
  const clients = Math.round(numberOption('clients', quick ? 300 : GOAL_CLIENTS));
  const pending = Math.round(numberOption('pending', 5));
  const deadlineMs = numberOption('deadline', quick ? 30 : 120) * 1000;
  const rounds = Math.max(1, Math.round(numberOption('rounds', quick ? 1 : 3)));
  const users = Math.ceil(clients / DEVICES_PER_USER / 2) * 2;
  ensureBuilt(quick);

  const dataDir = await mkdtemp(join(tmpdir(), 'bench-storm-'));
  const db = await openSeedDatabase(dataDir);
  const world = seedStorm(db, users, DEVICES_PER_USER, pending);
  closeSeedDatabase(db);
  const tokens = await mintTokens(world.userIds);

  // --cpu-prof: the server's main thread is profiled from the cut until every client is back.
  const cpuProf = process.argv.includes('--cpu-prof');
  const profileFile = join(resultsDir(), 'reconnect-storm-server.cpuprofile');
  const server = await startScaleServer({
    ...scaleServerEnv(dataDir),
    ...(cpuProf
      ? {
          NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, '..', 'lib', 'cpu-profile-preload.mjs')).href}`,
          BENCH_CPU_PROFILE_FILE: profileFile,
        }
      : {}),
  });
  const pid = server.child.pid ?? 0;
  const drivers = Array.from({ length: Math.ceil(clients / PER_DRIVER) }, () => forkDriver(DRIVER));
  const killAll = () => {
    server.child.kill('SIGKILL');
    for (const d of drivers) d.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    const ws = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const specs: ClientSpec[] = Array.from({ length: clients }, (_, i) => ({
      url: `${ws}?token=${tokens[Math.floor(i / DEVICES_PER_USER)]}&deviceId=d${i % DEVICES_PER_USER}`,
      // Reconnects take new ports while the old ones sit in TIME_WAIT: 5,000 per address leaves room.
      localAddress: sourceAddress(3, i, 5000),
    }));
    const slice = Math.ceil(clients / drivers.length);
    const parts = drivers.map((_, i) => specs.slice(i * slice, (i + 1) * slice));

    // Before the storm: everyone connected, the pending messages replayed once, nothing acknowledged.
    const bar = new Progress('  connecting', clients, { unit: 'conn' });
    const readyBy = new Map<number, number>();
    for (const [i, d] of drivers.entries()) {
      d.on('message', (m: { type?: string; ready?: number }) => {
        if (m.type !== 'progress') return;
        readyBy.set(i, m.ready ?? 0);
        bar.update([...readyBy.values()].reduce((a, b) => a + b, 0));
      });
    }
    const connected = await Promise.all(
      drivers.map((d, i) =>
        ask<ConnectStatus>(d, {
          type: 'connect',
          target: 'chat',
          specs: parts[i] ?? [],
          concurrency: 64,
          heartbeatMs: 25_000,
        }),
      ),
    );
    bar.update(connected.reduce((a, c) => a + c.ready, 0));
    bar.finish();
    const before = {
      ready: connected.reduce((a, c) => a + c.ready, 0),
      replayed: connected.reduce((a, c) => a + c.replayed, 0),
      failures: connected.reduce((a, c) => a + c.failures, 0),
    };
    if (before.ready < clients) {
      throw new Error(
        `only ${before.ready} of ${clients} connected before the storm: ${connected.find((c) => c.firstFailure)?.firstFailure}`,
      );
    }
    await sleep(quick ? 1000 : 3000);

    // The storms: each cuts every connection and waits until all are back; the clients still
    // acknowledge nothing, so every round replays the same messages.
    const storms: StormRound[] = [];
    let profile: string[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await sleep(quick ? 1000 : 3000);
      storms.push(await storm(drivers, pid, { deadlineMs, pending, clients }, cpuProf && round === 0));
      if (cpuProf && round === 0) profile = await stopProfile(server.child, profileFile);
    }
    const byTime = [...storms].sort((a, b) => (a.allSeconds || Infinity) - (b.allSeconds || Infinity));
    const median = byTime[Math.floor((byTime.length - 1) / 2)] as StormRound;
    const failures = storms.reduce((a, r) => a + r.failures, 0);
    const wrongReplay = storms.reduce((a, r) => a + r.wrongReplay, 0);
    const firstFailure = storms.find((r) => r.firstFailure)?.firstFailure ?? null;
    const errors = storms.reduce((a, r) => a + r.failures + r.wrongReplay + (clients - r.resumed), 0);
    const { allSeconds, resumed, times, rssSeries } = median;

    const rows: Row[] = storms.map((r, i) => ({
      round: storms.length > 1 ? `${i + 1}${r === median ? ' (median)' : ''}` : 1,
      clients,
      users,
      'pending msgs/client': pending,
      resumed: r.resumed,
      'all resumed s': Number.isNaN(r.allSeconds) ? `not within ${deadlineMs / 1000}` : round1(r.allSeconds),
      'p50 resume s': round1((percentile(r.times, 50) ?? 0) / 1000),
      'p99 resume s': round1((percentile(r.times, 99) ?? 0) / 1000),
      'failed attempts': r.failures,
      'wrong replays': r.wrongReplay,
      'RSS before MiB': Math.round(r.rssBefore / MiB),
      'RSS peak MiB': Math.round(r.peakRss / MiB),
    }));
    const goals: Goal[] = [
      {
        goal: `reconnect storm of ${GOAL_CLIENTS.toLocaleString('en')} clients resumed in < ${GOAL_SECONDS} s without errors`,
        measured:
          `${resumed} of ${clients} resumed (hello, ${pending} messages replayed, sync:done) ` +
          `${Number.isNaN(allSeconds) ? `not all within ${deadlineMs / 1000} s` : `in ${round1(allSeconds)} s`}` +
          `${storms.length > 1 ? ` (median of ${storms.length} storms)` : ''}; ` +
          `${failures} failed attempts, ${wrongReplay} wrong replays`,
        met: clients >= GOAL_CLIENTS && allSeconds < GOAL_SECONDS && errors === 0,
      },
    ];
    // Cumulative resumed clients, sampled every 100 ms.
    const end = Math.max(1000, times.at(-1) ?? 0);
    const resumedSeries: [number, number][] = [];
    for (let t = 0, k = 0; t <= end + 100; t += 100) {
      while (k < times.length && (times[k] ?? 0) <= t) k++;
      resumedSeries.push([round1(t / 1000), k]);
    }
    const charts: Chart[] = [
      {
        title: `Clients resumed (sync:done) after ${clients.toLocaleString('en')} connections were cut at once`,
        xLabel: 'seconds since the cut',
        yLabel: 'clients resumed',
        series: [{ name: 'resumed', points: resumedSeries }],
      },
      {
        title: 'Server RSS during the storm',
        xLabel: 'seconds since the cut',
        yLabel: 'RSS (MiB)',
        series: [{ name: 'chat server', points: rssSeries.map(([x, y]) => [round1(x), round1(y)]) }],
      },
    ];
    const notes = [
      `World: ${users} users × ${DEVICES_PER_USER} devices, paired in direct conversations of ${pending} messages each that no device acknowledged (seeded directly: users, memberships, messages, devices with cursors at 0). Before the storm every client connected and got the ${pending} messages replayed (${before.replayed} in all), and acknowledged none.`,
      `The cut: each driver process destroys all its sockets at once (no close frame: the server sees the connections lost, presence keeps the users online for the heartbeat timeout). Each client then waits a full-jitter backoff (the SDK's sdk/backoff.ts: uniform in [0, 1 s), then [0, 2 s) … after a failure) and reconnects with its token and device id; resumed = hello, the replay, sync:done. A client counts as wrong when its replay did not hold exactly its ${pending} pending messages.`,
      `Failed attempts: handshakes refused or sockets lost before sync:done (each retried with backoff)${firstFailure ? `; first: ${firstFailure}` : ''}.`,
      ...profile,
      `${drivers.length} driver process(es), 127.0.3.x source addresses; RSS sampled every 100 ms from /proc; the charts show the median storm. The machine is shared (2 cores): times are upper bounds.`,
    ];
    writeReport(
      {
        scenario: 'reconnect-storm',
        description:
          'Every client loses its connection at once and resumes (hello → replay of the unacknowledged messages → sync:done) with the SDK’s backoff: time until all are back, errors, server memory.',
        machine: describeMachine(),
        parameters: {
          server: serverBuild(),
          clients,
          users,
          devicesPerUser: DEVICES_PER_USER,
          pendingPerClient: pending,
          deadlineSeconds: deadlineMs / 1000,
          rounds,
        },
        rows,
        notes,
        goals,
        charts,
      },
      resultsDir(),
    );
    await Promise.all(drivers.map((d) => ask(d, { type: 'close' })));
  } finally {
    process.off('exit', killAll);
    for (const d of drivers) d.kill();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface StormRound {
  /** Seconds until the last client had sync:done again; NaN when not all did before the deadline. */
  allSeconds: number;
  /** Each resumed client's time from the cut (ms), ascending. */
  times: number[];
  resumed: number;
  failures: number;
  wrongReplay: number;
  firstFailure: string | null;
  rssBefore: number;
  peakRss: number;
  rssSeries: [number, number][];
}

/** One storm: every driver cuts all its connections at once; resolves when every client is back (or the deadline). */
async function storm(
  drivers: ChildProcess[],
  pid: number,
  { deadlineMs, pending, clients }: { deadlineMs: number; pending: number; clients: number },
  profiled: boolean,
): Promise<StormRound> {
  const rssBefore = rssBytes(pid);
  const rssSeries: [number, number][] = [];
  // --cpu-prof: the first SIGUSR2 starts the profiler; the scenario stops it after the first storm.
  if (profiled) process.kill(pid, 'SIGUSR2');
  const stormStart = Date.now();
  const sampler = setInterval(() => rssSeries.push([(Date.now() - stormStart) / 1000, rssBytes(pid) / MiB]), 100);
  const results = await Promise.all(
    drivers.map((d) => ask<DropResult>(d, { type: 'drop', deadlineMs, expectReplay: pending })),
  );
  await sleep(500);
  clearInterval(sampler);
  // Times from each driver's own cut (they start within milliseconds of each other).
  const offsets = results.map((r) => r.droppedAt - stormStart);
  const times = results
    .flatMap((r, i) => r.readyAfterMs.map((t) => (t < 0 ? -1 : t + (offsets[i] ?? 0))))
    .filter((t) => t >= 0)
    .sort((a, b) => a - b);
  return {
    allSeconds: times.length === clients ? (times.at(-1) ?? 0) / 1000 : Number.NaN,
    times,
    resumed: times.length,
    failures: results.reduce((a, r) => a + r.failures, 0),
    wrongReplay: results.reduce((a, r) => a + r.wrongReplay, 0),
    firstFailure: results.find((r) => r.firstFailure)?.firstFailure ?? null,
    rssBefore,
    peakRss: Math.max(rssBefore, ...rssSeries.map(([, y]) => y * MiB)),
    rssSeries,
  };
}

/** Stops the profiler (second SIGUSR2) and summarizes the profile as report notes. */
async function stopProfile(child: ChildProcess, file: string): Promise<string[]> {
  const startedAt = Date.now();
  if (existsSync(file)) rmSync(file);
  child.kill('SIGUSR2');
  while (!existsSync(file) && Date.now() - startedAt < 20_000) await sleep(100);
  await sleep(500);
  if (!existsSync(file) || statSync(file).size === 0) return ['CPU profile: not written.'];
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const top = (rows: { name: string; ms: number; percent: number }[], n: number) =>
    rows
      .slice(0, n)
      .map((r) => `${r.name} ${r.ms} ms (${r.percent}%)`)
      .join('; ');
  return [
    `CPU profile of the server's main thread over the first storm (--cpu-prof; ${summary.wallMs} ms wall, ${summary.busyMs} ms busy; raw profile reconnect-storm-server.cpuprofile). Self time by area: ${top(summary.areas, 8)}.`,
    `Inclusive time of server functions: ${top(summary.inclusive, 10)}.`,
    `Self time by function: ${top(summary.functions, 10)}.`,
  ];
}
