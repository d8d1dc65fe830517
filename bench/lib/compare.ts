/**
 * Side-by-side runs: every (load, target) for several rounds, interleaved (the
 * order of targets flips every round, so neither always runs on a machine the
 * other just warmed), each run's target CPU and RSS sampled from /proc, and the
 * results reduced to medians over rounds, report rows, a baseline and charts.
 */
import { cpuSeconds, ProcessSampler } from './proc-stats.js';
import { Progress } from './progress.js';
import type { Baseline, Chart, Row } from './report.js';
import { type LatencySummary, median, summarize, type TimelineBucket, timeline } from './stats.js';
import type { MeasureHooks, Target, Timing } from './targets.js';
import type { Load, RunResult } from './ws-driver.js';

export interface LoadSpec {
  name: string;
  load: Load;
}

export type RunFigures = Omit<RunResult, 'e2eMs' | 'e2eAtMs' | 'deliveredAtMs' | 'ackMs'>;

export interface RoundRecord {
  result: RunFigures;
  e2e: LatencySummary;
  ack: LatencySummary;
  cpuPercent: number;
  rssMiB: number;
  timeline: TimelineBucket[];
}

export interface Comparison {
  targets: Target[];
  loads: LoadSpec[];
  rounds: number;
  get(target: Target, load: LoadSpec): RoundRecord[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
/** Milliseconds for a table cell: two decimals under 10 ms, one above. */
export const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : n < 10 ? Math.round(n * 100) / 100 : round1(n));

let runCounter = 0;

/** Waits (at most 60 s) until the processes use under 10% of a core: no backlog leaks into the next run. */
export async function waitIdle(pids: readonly number[]): Promise<void> {
  const total = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const deadline = performance.now() + 60_000;
  let before = total();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = total();
    if (now - before < 0.025) return;
    before = now;
  }
}

export async function measure(
  target: Target,
  spec: LoadSpec,
  timing: Timing,
  bucketMs: number,
  hooks: MeasureHooks = {},
): Promise<RoundRecord> {
  const samplers = target.pids.map((pid) => new ProcessSampler(pid));
  runCounter++;
  const result = await target.run(spec.load, timing, `r${runCounter}${Date.now().toString(36)}`, {
    onMeasureStart: () => {
      for (const s of samplers) s.start();
      hooks.onMeasureStart?.();
    },
    onMeasureEnd: () => {
      for (const s of samplers) s.stop();
      hooks.onMeasureEnd?.();
    },
  });
  for (const s of samplers) s.finish();
  await waitIdle(target.pids);
  const { e2eMs, e2eAtMs, deliveredAtMs, ackMs, ...figures } = result;
  return {
    result: figures,
    e2e: summarize(e2eMs),
    ack: summarize(ackMs),
    cpuPercent: samplers.reduce((sum, s) => sum + s.cpuPercent, 0),
    rssMiB: samplers.reduce((sum, s) => sum + s.peakRssBytes, 0) / 2 ** 20,
    timeline: timeline(e2eAtMs, e2eMs, deliveredAtMs, timing.durationMs, bucketMs),
  };
}

export function describeRun(target: Target, spec: LoadSpec, r: RoundRecord): string {
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

export async function compare(options: {
  targets: Target[];
  loads: LoadSpec[];
  rounds: number;
  timing: Timing;
  bucketMs: number;
}): Promise<Comparison> {
  const { targets, loads, rounds, timing } = options;
  const records = new Map<string, RoundRecord[]>();
  const key = (t: Target, l: LoadSpec) => `${t.name}|${l.name}`;
  const progress = new Progress('runs', rounds * loads.length * targets.length, { unit: 'runs' });
  for (let round = 0; round < rounds; round++) {
    for (const spec of loads) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const record = await measure(target, spec, timing, options.bucketMs);
        const list = records.get(key(target, spec)) ?? [];
        list.push(record);
        records.set(key(target, spec), list);
        console.log(`round ${round + 1}/${rounds} ${describeRun(target, spec, record)}`);
        progress.tick();
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }
  progress.finish();
  return { targets, loads, rounds, get: (t, l) => records.get(key(t, l)) ?? [] };
}

const med = (list: readonly RoundRecord[], pick: (r: RoundRecord) => number) => median(list.map(pick));

export function deliveredMedian(cmp: Comparison, target: Target, load: LoadSpec): number {
  return med(cmp.get(target, load), (r) => r.result.deliveredPerSecond);
}

/** One row per (load, target): medians over rounds; loss, duplicates and reordering summed. */
export function comparisonRows(cmp: Comparison): Row[] {
  const rows: Row[] = [];
  for (const spec of cmp.loads) {
    for (const target of cmp.targets) {
      const list = cmp.get(target, spec);
      const sum = (pick: (r: RunFigures) => number) => list.reduce((s, r) => s + pick(r.result), 0);
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
        lost: list.some((r) => r.result.drainTimedOut) ? `${sum((r) => r.lost)} (drain timed out)` : sum((r) => r.lost),
        duplicates: sum((r) => r.duplicates),
        'out of order': sum((r) => r.outOfOrder),
        skipped: sum((r) => r.skipped),
        'msg/s per round': list.map((r) => Math.round(r.result.deliveredPerSecond)).join(' / '),
      });
    }
  }
  return rows;
}

/** "X = N% of relay" rows for a load (flat out), per round too. */
export function ratioRows(cmp: Comparison, relay: Target, spec: LoadSpec): Row[] {
  const relayRounds = cmp.get(relay, spec);
  return cmp.targets
    .filter((t) => t !== relay)
    .map((t) => {
      const ratio = deliveredMedian(cmp, t, spec) / deliveredMedian(cmp, relay, spec);
      const perRound = cmp.get(t, spec).map((s, i) => {
        const r = relayRounds[i];
        return r ? `${Math.round((s.result.deliveredPerSecond / r.result.deliveredPerSecond) * 100)}%` : '?';
      });
      return {
        target: 'ratio',
        load: spec.name,
        'delivered msg/s': `${t.name} = ${Math.round(ratio * 100)}% of relay`,
        'msg/s per round': perRound.join(' / '),
      };
    });
}

export function relayBaseline(cmp: Comparison, relay: Target, spec: LoadSpec, pairs: number, ratio?: string): Baseline {
  return {
    description: `bare ws relay, ${pairs} pairs, ${spec.name}, median of ${cmp.rounds} round(s)`,
    deliveredPerSecond: Math.round(deliveredMedian(cmp, relay, spec)),
    e2eP99Ms: Number(ms(med(cmp.get(relay, spec), (r) => r.e2e.p99))),
    ...(ratio ? { ratio } : {}),
  };
}

/** The round whose delivered rate is the median: its timeline stands for the configuration. */
function medianRound(list: readonly RoundRecord[]): RoundRecord | undefined {
  const sorted = [...list].sort((a, b) => a.result.deliveredPerSecond - b.result.deliveredPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function latencyChart(cmp: Comparison, spec: LoadSpec): Chart {
  return {
    title: `End-to-end latency over time at ${spec.name}`,
    xLabel: 'seconds into the measured interval',
    yLabel: 'latency ms',
    yLog: true,
    series: cmp.targets.flatMap((t) => {
      const buckets = medianRound(cmp.get(t, spec))?.timeline ?? [];
      return [
        { name: `${t.name} p99`, group: t.name, points: buckets.map((b) => [b.atSeconds, b.p99] as [number, number]) },
        { name: `${t.name} p50`, group: t.name, points: buckets.map((b) => [b.atSeconds, b.p50] as [number, number]) },
      ];
    }),
  };
}

export function throughputChart(cmp: Comparison, spec: LoadSpec): Chart {
  return {
    title: `Delivered messages per second over time, ${spec.name}`,
    xLabel: 'seconds into the measured interval',
    yLabel: 'delivered msg/s',
    series: cmp.targets.map((t) => ({
      name: t.name,
      points: (medianRound(cmp.get(t, spec))?.timeline ?? []).map(
        (b) => [b.atSeconds, b.perSecond] as [number, number],
      ),
    })),
  };
}

/** The delivery-check note: every message exactly once and in order, or what went wrong where. */
export function deliveryNote(cmp: Comparison, drainSeconds: number): string {
  const problems = cmp.loads.flatMap((spec) =>
    cmp.targets.flatMap((t) =>
      cmp
        .get(t, spec)
        .map((r, i) => ({ name: `${t.name}, ${spec.name} round ${i + 1}`, r: r.result }))
        .filter(({ r }) => r.lost || r.duplicates || r.outOfOrder || r.errors || r.disconnects || r.drainTimedOut),
    ),
  );
  if (problems.length === 0) {
    return 'Delivery check: every message sent in every run was received exactly once, in order (lost, duplicates and out of order are sums over all rounds).';
  }
  return `Delivery check: NOT every message was received exactly once in order: ${problems
    .map(
      ({ name, r }) =>
        `${name}: ${r.lost} lost${r.drainTimedOut ? ` (not delivered when the ${drainSeconds} s drain gave up: late or lost)` : ''}, ` +
        `${r.duplicates} duplicates, ${r.outOfOrder} out of order, ${r.errors} error frames, ${r.disconnects} disconnects${r.firstError ? ` (${r.firstError})` : ''}`,
    )
    .join('; ')}.`;
}

/** Per-run figures for the JSON report (timelines included, raw samples not). */
export function runsForJson(cmp: Comparison): unknown[] {
  return cmp.loads.flatMap((spec) =>
    cmp.targets.flatMap((t) =>
      cmp.get(t, spec).map((r, i) => ({ configuration: `${t.name}|${spec.name}`, round: i + 1, ...r })),
    ),
  );
}
