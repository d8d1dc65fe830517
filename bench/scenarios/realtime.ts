/**
 * `realtime`: messages over WebSockets, end to end, against a bare relay.
 *
 * N sender/receiver pairs (default 100 pairs = 200 connections), each pair a
 * direct conversation, driven from this process (bench/lib/ws-driver.ts) with
 * the protocol's raw frames. Two targets, each its own child process:
 *  - the chat server (built with tsc, fresh data folder): auth, validation,
 *    durable storage (fsync before the ack), ordered fan-out, receipts;
 *  - the bare relay (bench/relay/relay.ts): forwards each frame to the peer
 *    and answers a constant ack; nothing else. The floor of `ws` on this machine.
 * Loads: 1,000 and 5,000 messages/s (open loop, evenly paced) and flat out
 * (each sender keeps 10 sends unacknowledged). Every (load, target) runs for a
 * fixed time, interleaved relay/server, for several rounds; the report quotes
 * medians over rounds.
 *
 * Options (after `npm run bench -- realtime`): `--quick` (25 pairs, 3 s per run,
 * 1 round, 3 s drain), `--pairs=N`, `--duration=SECONDS`, `--rounds=N`,
 * `--drain=SECONDS` (how long to wait for stragglers), `--ack-ms=N` (receipt
 * coalescing), and `--cpu-prof`, which skips the comparison and instead
 * profiles the server's main thread during one flat-out run
 * (bench/results/realtime-cpu-profile.md and realtime-server.cpuprofile).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CpuProfile, summarizeProfile, type TimeShare } from '../lib/cpu-profile.js';
import { numberOption } from '../lib/options.js';
import { registerPairs } from '../lib/pairs.js';
import { cpuSeconds, ProcessSampler } from '../lib/proc-stats.js';
import { describeMachine, type Report, type Row, writeReport } from '../lib/report.js';
import { buildServer, type ServerProcess, startServerProcess } from '../lib/server-process.js';
import { type LatencySummary, median, summarize } from '../lib/stats.js';
import { type Dialect, type Load, type PairEndpoints, type RunResult, runLoad } from '../lib/ws-driver.js';
import { startRelayProcess } from '../relay/process.js';
import type { ScenarioOptions } from '../run.js';

const RESULTS = join(import.meta.dirname, '..', 'results');
/** 100 bytes of text, like the store scenario. */
const CONTENT = 'realtime benchmark message '.padEnd(100, 'x');
const WINDOW = 10;
/** --quick only: fixed-rate senders skip sends beyond this many unacknowledged. */
const QUICK_MAX_UNACKED = 50;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;
const TARGET_P99_RATE = 5000;

interface Target {
  name: string;
  dialect: Dialect;
  pid: number;
  pairs: PairEndpoints[];
}

interface LoadSpec {
  name: string;
  load: Load;
}

interface RoundRecord {
  result: RunResult;
  e2e: LatencySummary;
  ack: LatencySummary;
  cpuPercent: number;
  rssMiB: number;
}

/** Users and one direct conversation per pair, over REST (not measured). */
function setUpChat(server: ServerProcess, pairs: number): Promise<PairEndpoints[]> {
  const wsBase = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
  return registerPairs(server.url, pairs, {
    prefix: 'rt',
    wsUrl: (_i, _side, token) => `${wsBase}?token=${token}&deviceId=bench`,
  });
}

function relayPairs(url: string, pairs: number): PairEndpoints[] {
  return Array.from({ length: pairs }, (_, i) => ({
    senderUrl: `${url}/?id=${i}s&peer=${i}r`,
    receiverUrl: `${url}/?id=${i}r&peer=${i}s`,
    conversationId: `c${i}`,
  }));
}

let runCounter = 0;

async function measure(
  target: Target,
  spec: LoadSpec,
  timing: {
    warmupMs: number;
    durationMs: number;
    drainTimeoutMs: number;
    ackIntervalMs: number;
    maxUnackedPerSender?: number;
  },
  hooks: { onMeasureStart?: () => void; onMeasureEnd?: () => void } = {},
): Promise<RoundRecord> {
  const sampler = new ProcessSampler(target.pid);
  runCounter++;
  const result = await runLoad({
    dialect: target.dialect,
    pairs: target.pairs,
    load: spec.load,
    ...timing,
    content: CONTENT,
    tag: `r${runCounter}${Date.now().toString(36)}`,
    onMeasureStart: () => {
      sampler.start();
      hooks.onMeasureStart?.();
    },
    onMeasureEnd: () => {
      sampler.stop();
      hooks.onMeasureEnd?.();
    },
  });
  sampler.finish();
  await waitIdle(target.pid);
  return {
    result,
    e2e: summarize(result.e2eMs),
    ack: summarize(result.ackMs),
    cpuPercent: sampler.cpuPercent,
    rssMiB: sampler.peakRssBytes / 2 ** 20,
  };
}

/** Waits (at most 60 s) until the target uses under 10% of a core: no backlog leaks into the next run. */
async function waitIdle(pid: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  let before = cpuSeconds(pid);
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuSeconds(pid);
    if (now - before < 0.025) return;
    before = now;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : n < 10 ? Math.round(n * 100) / 100 : round1(n));

function describeRun(target: Target, spec: LoadSpec, r: RoundRecord): string {
  const x = r.result;
  return (
    `${target.name.padEnd(11)} ${spec.name.padEnd(20)} ${Math.round(x.deliveredPerSecond)} msg/s delivered, ` +
    `e2e p50 ${ms(r.e2e.p50)} p99 ${ms(r.e2e.p99)} max ${ms(r.e2e.max)} ms, ack p99 ${ms(r.ack.p99)} ms, ` +
    `cpu ${Math.round(r.cpuPercent)}% rss ${Math.round(r.rssMiB)} MiB, driver cpu ${Math.round(x.driverCpuPercent)}%, ` +
    `sent ${x.sent}${x.skipped ? ` skipped ${x.skipped}` : ''} acked ${x.acked} lost ${x.lost} dup ${x.duplicates} ooo ${x.outOfOrder} err ${x.errors} disconnects ${x.disconnects}` +
    (x.drainTimedOut ? ' (drain timed out)' : '') +
    (x.firstError ? ` first error: ${x.firstError}` : '')
  );
}

async function profileServer(
  server: ServerProcess,
  target: Target,
  timing: Parameters<typeof measure>[2],
): Promise<void> {
  const file = join(RESULTS, 'realtime-server.cpuprofile');
  await rm(file, { force: true });
  const signal = () => server.child.kill('SIGUSR2');
  const spec: LoadSpec = { name: `flat-out (window ${WINDOW})`, load: { kind: 'flat-out', window: WINDOW } };
  const record = await measure(target, spec, timing, { onMeasureStart: signal, onMeasureEnd: signal });
  console.log(describeRun(target, spec, record));
  const deadline = Date.now() + 10_000;
  while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300)); // let the write finish
  writeProfileReport(file, {
    pairs: target.pairs.length,
    deliveredPerSecond: record.result.deliveredPerSecond,
    cpuPercent: record.cpuPercent,
  });
}

/** Summarizes a server .cpuprofile into bench/results/realtime-cpu-profile.md. */
export function writeProfileReport(
  file: string,
  run: { pairs: number; deliveredPerSecond: number; cpuPercent: number },
): void {
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const table = (title: string, unit: string, rows: TimeShare[]) => [
    `| ${title} | ${unit} ms | % of busy |`,
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.name.replaceAll('|', '\\|')} | ${r.ms} | ${r.percent} |`),
  ];
  const markdown = [
    '# CPU profile: chat server, flat-out WebSocket load',
    '',
    `${run.pairs} pairs, window ${WINDOW}: ${Math.round(run.deliveredPerSecond)} msg/s delivered while profiled ` +
      `(the sampling profiler slows the server somewhat), server CPU ${Math.round(run.cpuPercent)}% of a core. ` +
      `The profile covers the measured interval only: ${summary.wallMs} ms wall, ${summary.busyMs} ms busy on the main thread, ${summary.idleMs} ms idle. ` +
      'V8 samples wall-clock time, so a native call that blocks the thread (better-sqlite3 COMMIT waiting for fsync) counts for as long as it blocks. ' +
      'Percentages are of the busy time. Raw profile: realtime-server.cpuprofile (open in Chrome DevTools).',
    '',
    '## Self time by area (native calls count for their caller)',
    '',
    ...table('area', 'self', summary.areas.slice(0, 15)),
    '',
    '## Inclusive time of server functions',
    '',
    ...table('function', 'inclusive', summary.inclusive.slice(0, 20)),
    '',
    '## Self time by function (native functions named with their JavaScript caller)',
    '',
    ...table('function', 'self', summary.functions),
    '',
  ].join('\n');
  writeFileSync(join(RESULTS, 'realtime-cpu-profile.md'), markdown);
  console.log(`\n${markdown}`);
}

export async function realtimeScenario({ quick }: ScenarioOptions): Promise<void> {
  // --quick: fewer users (argon2 registration dominates its setup) and a short drain.
  const pairCount = Math.round(numberOption('pairs', quick ? 25 : 100));
  const rounds = Math.round(numberOption('rounds', quick ? 1 : 3));
  const durationMs = numberOption('duration', quick ? 3 : 10) * 1000;
  const warmupMs = quick ? 250 : 1000;
  const ackMs = numberOption('ack-ms', 100);
  const timing = {
    warmupMs,
    durationMs,
    drainTimeoutMs: numberOption('drain', quick ? 3 : 180) * 1000,
    ackIntervalMs: ackMs,
    // --quick: an overloaded server must not be left with a backlog that outlasts the smoke run.
    ...(quick ? { maxUnackedPerSender: QUICK_MAX_UNACKED } : {}),
  };
  const cpuProf = process.argv.includes('--cpu-prof');
  const loads: LoadSpec[] = [
    { name: '1,000 msg/s', load: { kind: 'rate', messagesPerSecond: 1000 } },
    { name: '5,000 msg/s', load: { kind: 'rate', messagesPerSecond: 5000 } },
    { name: `flat-out (window ${WINDOW})`, load: { kind: 'flat-out', window: WINDOW } },
  ];

  buildServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-realtime-'));
  const env: Record<string, string> = {
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: 'bench-secret-bench-secret-bench-secret!',
    LOG_LEVEL: 'warn',
    CHAT_MAX_CONNECTIONS_PER_IP: '100000',
    CHAT_MAX_CONNECTIONS_PER_USER: '1000',
  };
  if (cpuProf) {
    env.NODE_OPTIONS = `--import=${pathToFileURL(join(import.meta.dirname, '..', 'lib', 'cpu-profile-preload.mjs')).href}`;
    env.BENCH_CPU_PROFILE_FILE = join(RESULTS, 'realtime-server.cpuprofile');
  }
  const server = await startServerProcess(env);
  const relay = await startRelayProcess();
  // A crash must not leave the target processes running.
  const killTargets = () => {
    server.child.kill('SIGKILL');
    relay.child.kill('SIGKILL');
  };
  process.once('exit', killTargets);
  try {
    const setupStart = performance.now();
    const chatPairs = await setUpChat(server, pairCount);
    console.log(
      `setup: ${pairCount * 2} users, ${pairCount} conversations in ${Math.round(performance.now() - setupStart)} ms`,
    );
    const serverTarget: Target = { name: 'chat server', dialect: 'chat', pid: server.child.pid ?? 0, pairs: chatPairs };
    const relayTarget: Target = {
      name: 'bare relay',
      dialect: 'relay',
      pid: relay.pid,
      pairs: relayPairs(relay.url, pairCount),
    };

    if (cpuProf) {
      await profileServer(server, serverTarget, timing);
      return;
    }

    const targets = [relayTarget, serverTarget];
    const records = new Map<string, RoundRecord[]>();
    const key = (t: Target, l: LoadSpec) => `${t.name}|${l.name}`;
    for (let round = 0; round < rounds; round++) {
      for (const spec of loads) {
        // Alternate which target goes first, so neither always runs on a machine the other just warmed.
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const record = await measure(target, spec, timing);
          const list = records.get(key(target, spec)) ?? [];
          list.push(record);
          records.set(key(target, spec), list);
          console.log(`round ${round + 1}/${rounds} ${describeRun(target, spec, record)}`);
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    }

    const med = (list: RoundRecord[], pick: (r: RoundRecord) => number) => median(list.map(pick));
    const rows: Row[] = [];
    for (const spec of loads) {
      for (const target of targets) {
        const list = records.get(key(target, spec)) ?? [];
        const sum = (pick: (r: RunResult) => number) => list.reduce((s, r) => s + pick(r.result), 0);
        rows.push({
          target: target.name,
          load: spec.name,
          'delivered msg/s': Math.round(med(list, (r) => r.result.deliveredPerSecond)),
          'e2e p50 ms': ms(med(list, (r) => r.e2e.p50)),
          'e2e p95 ms': ms(med(list, (r) => r.e2e.p95)),
          'e2e p99 ms': ms(med(list, (r) => r.e2e.p99)),
          'e2e max ms': ms(med(list, (r) => r.e2e.max)),
          'ack p50 ms': ms(med(list, (r) => r.ack.p50)),
          'ack p99 ms': ms(med(list, (r) => r.ack.p99)),
          'CPU %': Math.round(med(list, (r) => r.cpuPercent)),
          'RSS MiB': Math.round(med(list, (r) => r.rssMiB)),
          'driver CPU %': Math.round(med(list, (r) => r.result.driverCpuPercent)),
          // A drain that gave up cannot tell late from lost: the cell says so.
          lost: list.some((r) => r.result.drainTimedOut)
            ? `${sum((r) => r.lost)} (drain timed out)`
            : sum((r) => r.lost),
          duplicates: sum((r) => r.duplicates),
          'out of order': sum((r) => r.outOfOrder),
          'msg/s per round': list.map((r) => Math.round(r.result.deliveredPerSecond)).join(' / '),
        });
      }
    }

    const flatName = loads[2]?.name ?? '';
    const relayFlat = med(
      records.get(key(relayTarget, loads[2] as LoadSpec)) ?? [],
      (r) => r.result.deliveredPerSecond,
    );
    const serverFlat = med(
      records.get(key(serverTarget, loads[2] as LoadSpec)) ?? [],
      (r) => r.result.deliveredPerSecond,
    );
    const ratio = serverFlat / relayFlat;
    const perRoundRatios = (records.get(key(serverTarget, loads[2] as LoadSpec)) ?? []).map((s, i) => {
      const r = records.get(key(relayTarget, loads[2] as LoadSpec))?.[i];
      return r ? `${Math.round((s.result.deliveredPerSecond / r.result.deliveredPerSecond) * 100)}%` : '?';
    });
    rows.push({
      target: 'ratio',
      load: flatName,
      'delivered msg/s': `server = ${Math.round(ratio * 100)}% of relay`,
      'msg/s per round': perRoundRatios.join(' / '),
    });

    const server5k = records.get(key(serverTarget, loads[1] as LoadSpec)) ?? [];
    const p99At5k = med(server5k, (r) => r.e2e.p99);
    const rateAt5k = med(server5k, (r) => r.result.deliveredPerSecond);
    const lossAt5k = server5k.reduce((s, r) => s + r.result.lost + r.result.duplicates, 0);
    const kept5k = rateAt5k >= TARGET_P99_RATE * 0.95;
    const throughputMet = ratio >= TARGET_RATIO;
    const latencyMet = p99At5k < TARGET_P99_MS && kept5k && lossAt5k === 0;
    const problems = [...records.entries()]
      .flatMap(([k, list]) =>
        list.map((r, i) => ({ name: `${k.replace('|', ', ')} round ${i + 1}`, result: r.result })),
      )
      .filter(
        ({ result: r }) => r.lost || r.duplicates || r.outOfOrder || r.errors || r.disconnects || r.drainTimedOut,
      );

    const skippedSummary = [...records.entries()]
      .map(([k, list]) => [k, list.reduce((sum, r) => sum + r.result.skipped, 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k.replace('|', ', ')}: ${n}`)
      .join('; ');
    const notes = [
      `Target 1 (issue): server flat-out throughput at least ${TARGET_RATIO * 100}% of the bare relay's. ` +
        `Measured: ${Math.round(serverFlat)} vs ${Math.round(relayFlat)} msg/s = ${Math.round(ratio * 100)}% — ${throughputMet ? 'MET' : 'NOT MET'}.`,
      `Target 2 (issue): end-to-end p99 under ${TARGET_P99_MS} ms at ${TARGET_P99_RATE.toLocaleString('en')} msg/s. ` +
        `Measured: p99 ${ms(p99At5k)} ms at ${Math.round(rateAt5k)} msg/s delivered` +
        `${kept5k ? '' : ' (the server did not keep up with the offered rate)'}${lossAt5k ? `, ${lossAt5k} lost/duplicated` : ''} — ${latencyMet ? 'MET' : 'NOT MET'}.`,
      problems.length === 0
        ? 'Delivery check: every message sent in every run was received exactly once, in seq order (lost, duplicates and out of order are sums over all rounds).'
        : `Delivery check: NOT every message was received exactly once in order: ${problems
            .map(
              (p) =>
                `${p.name}: ${p.result.lost} lost${p.result.drainTimedOut ? ` (not delivered when the ${timing.drainTimeoutMs / 1000} s drain gave up: late or lost)` : ''}, ` +
                `${p.result.duplicates} duplicates, ${p.result.outOfOrder} out of order, ${p.result.errors} error frames, ${p.result.disconnects} disconnects${p.result.firstError ? ` (${p.result.firstError})` : ''}`,
            )
            .join('; ')}.`,
      `Method: ${pairCount} pairs = ${pairCount * 2} WebSocket connections, each pair a direct conversation; ${CONTENT.length}-byte messages; ` +
        `runs of ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured, then a drain until every message arrives (at most ${timing.drainTimeoutMs / 1000} s); ` +
        `${rounds} round(s), relay and server alternating per load (order flipped every round); figures are medians over rounds (msg/s per round shown).`,
      (quick
        ? `Fixed-rate rows send on an absolute schedule, round-robin over the senders; in --quick a sender with ${QUICK_MAX_UNACKED} sends unacknowledged skips its turn (skipped: ${skippedSummary || 'none'}), so they are open loop only until the target falls behind. `
        : 'Fixed-rate rows are open loop (sends on an absolute schedule, round-robin over the senders, whatever the acks do). ') +
        `Flat-out rows keep ${WINDOW} unacknowledged sends per sender. ` +
        'Latencies are from the sender calling send to the receiver parsing message:new (e2e) or the sender parsing message:ack (ack), for messages sent in the measured interval.',
      `Both targets get identical client frames (the chat protocol: message:send, cumulative message:received coalesced every ${ackMs} ms, as the SDK's ReceiptSender does). The relay only forwards each frame to the peer and answers a constant ack; ` +
        "the server also authenticates, validates, stores durably (SQLite, fsync before the ack), assigns seqs, records delivery receipts (message:delivered to the sender) and echoes message:new to the sender's own connection (multi-device sync), " +
        'so per message it writes 3 frames (ack, 2 × message:new) plus receipts, where the relay writes 2.',
      'CPU % is user+system time of the target process over the measured interval (/proc/PID/stat), as % of one core (a Node process uses more than one core only through its thread pool and GC threads); RSS is the peak VmRSS sampled every 200 ms. ' +
        '"driver CPU %" is this load-driving process: it shares the same cores, so when the driver nears 100% the relay rows measure the driver, not the relay.',
      `Machine: ${describeMachine().cpus} cores shared by driver, target, and (at the time of the run) other work: figures are noisy, hence interleaved rounds and medians.`,
    ];

    const report: Report & { runs: unknown[] } = {
      scenario: 'realtime',
      description:
        'Messages over WebSockets end to end: sender → server → receiver, against a bare `ws` relay (no auth, storage or validation) driven by the same clients with the same loads.',
      machine: describeMachine(),
      parameters: {
        pairs: pairCount,
        connections: pairCount * 2,
        rounds,
        warmupSeconds: warmupMs / 1000,
        durationSeconds: durationMs / 1000,
        flatOutWindow: WINDOW,
        ackIntervalMs: ackMs,
        contentBytes: CONTENT.length,
      },
      rows,
      notes,
      runs: [...records.entries()].flatMap(([k, list]) =>
        list.map((r, round) => {
          const { e2eMs: _e2e, ackMs: _ack, ...result } = r.result;
          return {
            configuration: k,
            round: round + 1,
            ...result,
            e2e: r.e2e,
            ack: r.ack,
            cpuPercent: r.cpuPercent,
            rssMiB: r.rssMiB,
          };
        }),
      ),
    };
    writeReport(report);
  } finally {
    process.off('exit', killTargets);
    await relay.stop();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
