/**
 * `direct` (alias `realtime`): 1:1 messages over WebSockets, end to end, side
 * by side with the bare relay and the peers, in one run.
 *
 * N sender/receiver pairs (default 100 = 200 connections), each pair a direct
 * conversation, driven from this process with the protocol's raw frames
 * (bench/lib/ws-driver.ts). Targets, each its own child process:
 *  - the bare relay (bench/relay/relay.ts): the floor of `ws` on this machine,
 *    and the baseline every figure is compared with;
 *  - the chat server (built with tsc, fresh data folder): auth, validation,
 *    durable storage (fsync before the ack), ordered fan-out, receipts;
 *  - the peers (`--peers=socketio,ejabberd`, default both when available, none
 *    in --quick): a plain Socket.IO relay and ejabberd, through
 *    bench/lib/peer-driver.ts with the same loads.
 * Loads: 1,000, 5,000 and 10,000 messages/s (open loop, evenly paced) and flat
 * out (each sender keeps 10 sends unacknowledged). Every (load, target) runs for
 * a fixed time, interleaved, for several rounds; the report quotes medians.
 *
 * Options: `--quick` (25 pairs, 1,000 msg/s and flat out, 2 s runs, 1 round),
 * `--pairs=N`, `--duration=SECONDS`, `--rounds=N`, `--drain=SECONDS`,
 * `--ack-ms=N` (receipt coalescing), `--max-unacked=N` (fixed-rate backlog bound
 * per sender, default 200, 50 in --quick, 0 = pure open loop), `--peers=LIST|none`, and `--cpu-prof`,
 * which instead profiles the server's main thread during one flat-out run
 * (bench/results/direct-cpu-profile.md and direct-server.cpuprofile).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  compare,
  comparisonRows,
  deliveredMedian,
  deliveryNote,
  describeRun,
  type LoadSpec,
  latencyChart,
  measure,
  ms,
  ratioRows,
  relayBaseline,
  runsForJson,
  throughputChart,
} from '../lib/compare.js';
import { numberOption, option } from '../lib/options.js';
import { writeProfileReport } from '../lib/profile-report.js';
import { describeMachine, type Goal, writeReport } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { CONTENT, chatTarget, relayTarget, socketIoTarget, type Target, type Timing } from '../lib/targets.js';
import { ejabberdInstalled, ejabberdTarget } from '../peers/ejabberd.js';
import type { ScenarioOptions } from '../run.js';

const RESULTS = join(import.meta.dirname, '..', 'results');
const WINDOW = 10;
/**
 * Fixed-rate senders skip a due send while this many of theirs are unacknowledged
 * (`--max-unacked=N`, 0 for a pure open loop): an overloaded target is measured
 * as not keeping up (skipped sends, reported) instead of leaving a backlog that
 * takes minutes to drain and spills into the next run.
 */
const MAX_UNACKED = { quick: 50, full: 200 };
const GOAL_RATIO = 0.5;
const GOAL_P99 = [
  { rate: 5000, p99Ms: 50 },
  { rate: 1000, p99Ms: 20 },
];

export const rateLoad = (rate: number): LoadSpec => ({
  name: `${rate.toLocaleString('en')} msg/s`,
  load: { kind: 'rate', messagesPerSecond: rate },
});
export const FLAT_OUT: LoadSpec = { name: `flat-out (window ${WINDOW})`, load: { kind: 'flat-out', window: WINDOW } };

function maxUnacked(quick: boolean): { maxUnackedPerSender?: number } {
  const value = option('max-unacked');
  const n = value === undefined ? (quick ? MAX_UNACKED.quick : MAX_UNACKED.full) : Number(value);
  return Number.isFinite(n) && n > 0 ? { maxUnackedPerSender: Math.round(n) } : {};
}

/** The usual timing of the WebSocket scenarios, from the command line. */
export function wsTiming(quick: boolean): Timing & { rounds: number; bucketMs: number } {
  return {
    rounds: Math.round(numberOption('rounds', quick ? 1 : 3)),
    warmupMs: quick ? 250 : 1000,
    durationMs: numberOption('duration', quick ? 2 : 10) * 1000,
    drainTimeoutMs: numberOption('drain', quick ? 3 : 180) * 1000,
    ackIntervalMs: numberOption('ack-ms', 100),
    ...maxUnacked(quick),
    bucketMs: quick ? 250 : 500,
  };
}

/** The peers `--peers` names (default: every peer in full runs, none in --quick); ejabberd only where installed. */
export async function peerTargets(pairs: number, quick: boolean, notes: string[]): Promise<Target[]> {
  const wanted = (option('peers') ?? (quick ? 'none' : 'socketio,ejabberd')).split(',');
  const targets: Target[] = [];
  if (wanted.includes('socketio')) targets.push(await socketIoTarget(pairs));
  if (wanted.includes('ejabberd')) {
    if (ejabberdInstalled()) targets.push(await ejabberdTarget(pairs));
    else notes.push('ejabberd is not installed (`apt-get install ejabberd`): its rows are skipped.');
  }
  return targets;
}

async function profileServer(server: Target, pairs: number, timing: Timing): Promise<void> {
  const file = join(RESULTS, 'direct-server.cpuprofile');
  const signal = () => {
    for (const pid of server.pids) process.kill(pid, 'SIGUSR2');
  };
  const record = await measure(server, FLAT_OUT, timing, 1000, { onMeasureStart: signal, onMeasureEnd: signal });
  console.log(describeRun(server, FLAT_OUT, record));
  const deadline = Date.now() + 10_000;
  while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300)); // let the write finish
  writeProfileReport(file, join(RESULTS, 'direct-cpu-profile.md'), {
    pairs,
    window: WINDOW,
    deliveredPerSecond: record.result.deliveredPerSecond,
    cpuPercent: record.cpuPercent,
  });
}

export async function directScenario({ quick }: ScenarioOptions): Promise<void> {
  const pairs = Math.round(numberOption('pairs', quick ? 25 : 100));
  const { rounds, bucketMs, ...timing } = wsTiming(quick);
  const loads = quick ? [rateLoad(1000), FLAT_OUT] : [rateLoad(1000), rateLoad(5000), rateLoad(10000), FLAT_OUT];
  const cpuProf = process.argv.includes('--cpu-prof');
  const notes: string[] = [];
  const targets: Target[] = [];
  const stopAll = async () => {
    for (const t of targets.splice(0)) await t.stop();
  };
  // A crash must not leave the target processes running.
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
    const env: Record<string, string> = {};
    if (cpuProf) {
      await rm(join(RESULTS, 'direct-server.cpuprofile'), { force: true });
      env.NODE_OPTIONS = `--import=${pathToFileURL(join(import.meta.dirname, '..', 'lib', 'cpu-profile-preload.mjs')).href}`;
      env.BENCH_CPU_PROFILE_FILE = join(RESULTS, 'direct-server.cpuprofile');
    }
    const setupStart = performance.now();
    const server = await chatTarget(pairs, { env, fromSource: quick });
    targets.push(server);
    console.log(
      `setup: ${pairs * 2} users, ${pairs} conversations in ${Math.round(performance.now() - setupStart)} ms`,
    );
    if (cpuProf) {
      await profileServer(server, pairs, timing);
      return;
    }
    const relay = await relayTarget(pairs);
    targets.unshift(relay);
    targets.push(...(await peerTargets(pairs, quick, notes)));

    const cmp = await compare({ targets: [...targets], loads, rounds, timing, bucketMs });
    const rows = [...comparisonRows(cmp), ...ratioRows(cmp, relay, FLAT_OUT)];
    const relayFlat = deliveredMedian(cmp, relay, FLAT_OUT);
    const serverFlat = deliveredMedian(cmp, server, FLAT_OUT);
    const ratio = serverFlat / relayFlat;

    const goals: Goal[] = [
      {
        goal: `durable throughput ≥ ${GOAL_RATIO * 100}% of the relay's, flat out`,
        measured: `${Math.round(serverFlat)} vs ${Math.round(relayFlat)} msg/s = ${Math.round(ratio * 100)}%`,
        met: ratio >= GOAL_RATIO,
      },
    ];
    for (const { rate, p99Ms } of GOAL_P99) {
      const spec = loads.find((l) => l.load.kind === 'rate' && l.load.messagesPerSecond === rate);
      if (!spec) continue;
      const list = cmp.get(server, spec);
      const p99 = median(list.map((r) => r.e2e.p99));
      const delivered = median(list.map((r) => r.result.deliveredPerSecond));
      const faults = list.reduce((s, r) => s + r.result.lost + r.result.duplicates + r.result.skipped, 0);
      const keptUp = delivered >= rate * 0.95;
      goals.push({
        goal: `p99 end-to-end < ${p99Ms} ms at a steady ${rate.toLocaleString('en')} msg/s`,
        measured:
          `p99 ${ms(p99)} ms at ${Math.round(delivered)} msg/s delivered` +
          `${keptUp ? '' : ' (did not keep up with the offered rate)'}${faults ? `, ${faults} lost/duplicated/skipped` : ''}`,
        met: p99 < p99Ms && keptUp && faults === 0,
      });
    }

    const fixed = loads.filter((l) => l.load.kind === 'rate');
    const machine = describeMachine();
    writeReport({
      scenario: 'direct',
      description:
        '1:1 messages over WebSockets end to end (sender → target → receiver): the chat server beside the bare `ws` relay ' +
        '(no auth, storage or validation)' +
        (targets.length > 2
          ? ` and the peers (${targets
              .slice(2)
              .map((t) => t.name)
              .join(', ')})`
          : '') +
        ', driven by the same clients with the same loads in one run.',
      machine,
      parameters: {
        pairs,
        connections: pairs * 2,
        rounds,
        warmupSeconds: timing.warmupMs / 1000,
        durationSeconds: timing.durationMs / 1000,
        flatOutWindow: WINDOW,
        ackIntervalMs: timing.ackIntervalMs,
        contentBytes: CONTENT.length,
        quick: quick ? 'yes' : 'no',
      },
      baseline: relayBaseline(cmp, relay, FLAT_OUT, pairs, `chat server = ${Math.round(ratio * 100)}% of relay`),
      rows,
      goals,
      charts: [...fixed.map((l) => latencyChart(cmp, l)), throughputChart(cmp, FLAT_OUT)],
      notes: [
        ...notes,
        deliveryNote(cmp, timing.drainTimeoutMs / 1000),
        `Method: ${pairs} pairs = ${pairs * 2} connections per target, each pair a direct conversation; ${CONTENT.length}-byte messages; ` +
          `runs of ${timing.warmupMs / 1000} s warm-up + ${timing.durationMs / 1000} s measured, then a drain until every message arrives (at most ${timing.drainTimeoutMs / 1000} s); ` +
          `${rounds} round(s), targets alternating per load (order flipped every round); figures are medians over rounds (msg/s per round shown). Charts show the median round.`,
        (timing.maxUnackedPerSender
          ? `Fixed-rate rows send on an absolute schedule, round-robin over the senders; a sender with ${timing.maxUnackedPerSender} sends unacknowledged skips its turn (counted: a goal is not met with skipped sends), so they are open loop until the target falls that far behind. `
          : 'Fixed-rate rows are open loop (sends on an absolute schedule, round-robin over the senders, whatever the acks do). ') +
          `Flat-out rows keep ${WINDOW} unacknowledged sends per sender. ` +
          'e2e is from the sender calling send to the receiver parsing the message; ack from send to the sender parsing the ack; both for messages sent in the measured interval.',
        `The chat server and the relay get identical client frames (message:send, cumulative message:received every ${timing.ackIntervalMs} ms as the SDK does). ` +
          'The relay only forwards each frame and answers a constant ack; the server also authenticates, validates, stores durably (SQLite, fsync before the ack), ' +
          "assigns seqs, sends delivery receipts and echoes message:new to the sender's own connection, so per message it writes 3 frames plus receipts where the relay writes 2.",
        'Socket.IO: a plain relay (rooms per user, an emit to the peer and an ack callback), no storage. ' +
          'ejabberd: 1:1 XMPP <message/> stanzas between anonymous (SASL ANONYMOUS) sessions through @xmpp/client, nothing stored; XMPP has no per-message server ack, ' +
          'so a flat-out ejabberd sender keeps 10 messages undelivered instead of unacknowledged and its ack columns are n/a.',
        'CPU % is user+system time of the target process(es) over the measured interval (/proc/PID/stat), as % of one core; RSS is the peak VmRSS sampled every 200 ms. ' +
          '"driver CPU %" is this load-driving process: it shares the same cores, so when it nears 100% a row measures the driver, not the target.',
        `Machine: ${machine.cpus} cores shared by the driver, the targets and (at the time of the run) other work: figures are noisy; the ratios measured side by side are what matter.`,
      ],
      runs: runsForJson(cmp),
    });
  } finally {
    process.off('exit', killAll);
    await stopAll();
  }
}
