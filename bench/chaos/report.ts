/**
 * The chaos report: printed like a simulator's summary, and written as JSON
 * and Markdown to bench/results/chaos.* (embedded) or chaos-cluster.*.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, type Machine } from '../lib/report.js';
import { type LatencySummary, summarize } from '../lib/stats.js';
import type { CheckCounts, CheckResult } from './checker.js';
import type { FaultKind, FaultRecord } from './faults.js';
import type { ChaosOutcome } from './run.js';

export interface FaultSummary {
  kind: FaultKind;
  injected: number;
  survived: number;
  /** Heal → recovered, ms. */
  recoveryP50: number | null;
  recoveryMax: number | null;
  /** Injected → healed, ms (down time, pause …). */
  durationP50: number;
}

export interface ChaosReport {
  scenario: string;
  verdict: 'PASS' | 'FAIL';
  machine: Machine;
  parameters: Record<string, string | number | boolean>;
  counts: CheckCounts;
  pendingAtEnd: number;
  latency: { calm: LatencySummary; underFaults: LatencySummary };
  faults: FaultSummary[];
  phases: ChaosOutcome['phases'];
  conversations: CheckResult['conversations'];
  violations: string[];
  faultLog: FaultRecord[];
}

export function buildReport(outcome: ChaosOutcome): ChaosReport {
  const { options, result, faults, acks } = outcome;
  // A send is "under faults" when its flight overlaps a fault from injection to recovery.
  const windows = faults
    .filter((f) => f.kind !== 'socket-drop')
    .map((f) => [f.startedAt, f.recoveredAt ?? outcome.phases.settled] as const);
  const base = outcome.startedAtEpoch;
  const calm: number[] = [];
  const faulty: number[] = [];
  for (const ack of acks) {
    const from = ack.sentAt;
    const to = ack.ackedAt;
    const overlaps = windows.some(([a, b]) => from - base <= b && to - base >= a);
    (overlaps ? faulty : calm).push(to - from);
  }
  const kinds = [...new Set(faults.map((f) => f.kind))];
  const summaries: FaultSummary[] = kinds.map((kind) => {
    const of = faults.filter((f) => f.kind === kind);
    const recoveries = of.filter((f) => f.recoveredAt !== null).map((f) => (f.recoveredAt as number) - f.healedAt);
    const r = summarize(recoveries);
    return {
      kind,
      injected: of.length,
      survived: recoveries.length,
      recoveryP50: recoveries.length ? r.p50 : null,
      recoveryMax: recoveries.length ? r.max : null,
      durationP50: summarize(of.map((f) => f.healedAt - f.startedAt)).p50,
    };
  });
  return {
    scenario: options.cluster ? 'chaos-cluster' : 'chaos',
    verdict: result.passed ? 'PASS' : 'FAIL',
    machine: describeMachine(),
    parameters: {
      mode: options.cluster ? 'cluster' : 'embedded',
      seed: options.seed,
      durationSeconds: options.durationMs / 1000,
      clients: options.clients,
      conversations: options.conversations,
      sendsPerSecond: options.ratePerSecond,
      killEverySeconds: options.killEveryMs / 1000,
      sendTimeoutSeconds: options.sendTimeoutMs / 1000,
      unsafeAckBeforeCommit: options.unsafeAckBeforeCommit,
    },
    counts: result.counts,
    pendingAtEnd: outcome.pendingAtEnd,
    latency: { calm: summarize(calm), underFaults: summarize(faulty) },
    faults: summaries,
    phases: outcome.phases,
    conversations: result.conversations,
    violations: result.violations,
    faultLog: faults,
  };
}

const ms = (n: number | null) => (n === null || Number.isNaN(n) ? '-' : `${Math.round(n)} ms`);

export function renderText(report: ChaosReport): string {
  const c = report.counts;
  const p = report.parameters;
  const lines = [
    `Chaos run (${p.mode}${p.unsafeAckBeforeCommit ? ', NEGATIVE CONTROL: ack before commit' : ''}): ${report.verdict}`,
    `seed ${p.seed}, ${p.durationSeconds} s, ${p.clients} clients, ${p.conversations} conversations, ${p.sendsPerSecond} sends/s`,
    '',
    `  sends attempted      ${c.sends}`,
    `  acknowledged         ${c.acked}`,
    `  refused              ${c.failed}`,
    `  timed out            ${c.timedOut} (never acknowledged: ${c.timedOutUnacked}; pending at end: ${report.pendingAtEnd})`,
    `  stored               ${c.stored}`,
    `  delivered            ${c.delivered} of ${c.expectedDeliveries}`,
    `  lost                 ${c.lost}`,
    `  duplicates           ${c.duplicates}`,
    `  gaps                 ${c.gaps}`,
    `  out of order         ${c.outOfOrder}`,
    `  missing after resume ${c.missing}`,
    `  mismatched           ${c.mismatched}`,
    `  unauthorized         ${c.unauthorized}`,
    '',
    `  ack latency calm         p50 ${ms(report.latency.calm.p50)}  p99 ${ms(report.latency.calm.p99)}  (${report.latency.calm.count})`,
    `  ack latency under faults p50 ${ms(report.latency.underFaults.p50)}  p99 ${ms(report.latency.underFaults.p99)}  (${report.latency.underFaults.count})`,
    '',
    '  fault                injected survived  lasted p50  recovery p50  recovery max',
    ...report.faults.map(
      (f) =>
        `  ${f.kind.padEnd(20)} ${String(f.injected).padStart(8)} ${String(f.survived).padStart(8)}  ${ms(f.durationP50).padStart(10)}  ${ms(f.recoveryP50).padStart(12)}  ${ms(f.recoveryMax).padStart(12)}`,
    ),
  ];
  if (report.violations.length > 0) {
    lines.push('', '  first violations:', ...report.violations.slice(0, 15).map((v) => `    ${v}`));
  }
  return lines.join('\n');
}

export function renderMarkdown(report: ChaosReport): string {
  const m = report.machine;
  const c = report.counts;
  const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    `# Chaos: ${report.parameters.mode} — ${report.verdict}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}. Commit ${m.commit}, ${m.date}.`,
    '',
    `Parameters: ${Object.entries(report.parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    '',
    '| invariant | count |',
    '|---|---|',
    ...Object.entries(c).map(([k, v]) => row([k, v])),
    row(['pendingAtEnd', report.pendingAtEnd]),
    '',
    '| ack latency | count | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    row(['calm', report.latency.calm.count, report.latency.calm.p50, report.latency.calm.p99, report.latency.calm.max]),
    row([
      'under faults',
      report.latency.underFaults.count,
      report.latency.underFaults.p50,
      report.latency.underFaults.p99,
      report.latency.underFaults.max,
    ]),
    '',
    '| fault | injected | survived | lasted p50 ms | recovery p50 ms | recovery max ms |',
    '|---|---|---|---|---|---|',
    ...report.faults.map((f) =>
      row([f.kind, f.injected, f.survived, f.durationP50, f.recoveryP50 ?? '-', f.recoveryMax ?? '-']),
    ),
    '',
    'Recovery: from the fault healing (node restarted and ready, SIGCONT, proxy passing again) until 95% of the',
    'clients are connected and a send was acknowledged after the heal (socket drops: until the dropped clients are',
    'back). The full fault log and per-conversation figures are in the JSON report.',
    '',
    ...(report.violations.length
      ? ['First violations:', '', ...report.violations.slice(0, 20).map((v) => `- ${v}`), '']
      : []),
  ].join('\n');
}

/** Writes bench/results/<scenario>.json and .md (or `name` instead of the scenario). */
export function writeReport(report: ChaosReport, name = report.scenario): string {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), renderMarkdown(report));
  return join(dir, `${name}.json`);
}
