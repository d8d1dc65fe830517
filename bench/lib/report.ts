/** Benchmark reports: the machine, the commit, and the rows, as JSON and Markdown. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { renderChartSvg } from './chart.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  commit: string;
  date: string;
}

export function describeMachine(): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    if (dirty) commit += '+dirty';
  } catch {
    // Not a git checkout: the report says so.
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    commit,
    date: new Date().toISOString(),
  };
}

export type Row = Record<string, string | number>;

/** A line chart: one polyline per series, x and y in the units the labels name. */
export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** `group`: series of one group (a target's p50 and p99) share a colour, told apart by dashes. */
  series: { name: string; points: [number, number][]; group?: string }[];
  /** A log10 y axis, for latencies spanning decades (p50 vs max). */
  yLog?: boolean;
}

/** The bare relay's figures measured in the same run, and this scenario's ratio to them. */
export interface Baseline {
  /** What was measured, e.g. "bare ws relay, 100 pairs, flat out (window 10)". */
  description: string;
  deliveredPerSecond: number;
  e2eP99Ms?: number;
  /** This scenario's headline figure divided by the baseline's, e.g. "chat server = 21% of relay". */
  ratio?: string;
}

/** One of the issue's goals and whether this run met it. */
export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

export interface Report {
  scenario: string;
  description: string;
  machine: Machine;
  parameters: Record<string, string | number>;
  rows: Row[];
  notes: string[];
  /** Drawn as SVG beside the Markdown report. */
  charts?: Chart[];
  baseline?: Baseline;
  goals?: Goal[];
  /** Per-run figures, in the JSON only. */
  runs?: unknown[];
}

/** bench/results, or BENCH_RESULTS_DIR (the smoke test writes to a temp folder, not over real results). */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? join(import.meta.dirname, '..', 'results');
}

/** NAME.svg, NAME-2.svg, … for the report's charts in order. */
export function chartFileName(scenario: string, index: number): string {
  return index === 0 ? `${scenario}.svg` : `${scenario}-${index + 1}.svg`;
}

function markdownTable(rows: readonly Row[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const columns = Object.keys(first);
  const line = (cells: readonly (string | number | undefined)[]) =>
    `| ${cells.map((c) => String(c ?? '')).join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((row) => line(columns.map((c) => row[c])))].join(
    '\n',
  );
}

function baselineLine(b: Baseline | undefined): string[] {
  if (!b) return [];
  const p99 = b.e2eP99Ms === undefined ? '' : `, e2e p99 ${b.e2eP99Ms} ms`;
  return [
    `Baseline measured in this run (\`relay-baseline\`: ${b.description}): ${Math.round(b.deliveredPerSecond).toLocaleString('en')} msg/s delivered${p99}.${b.ratio ? ` Ratio: ${b.ratio}.` : ''}`,
    '',
  ];
}

function goalLines(goals: readonly Goal[] | undefined): string[] {
  if (!goals?.length) return [];
  return [
    '## Goals',
    '',
    markdownTable(goals.map((g) => ({ goal: g.goal, measured: g.measured, met: g.met ? 'MET' : 'NOT MET' }))),
    '',
  ];
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  return [
    `# Benchmark: ${report.scenario}`,
    '',
    report.description,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. Commit ${m.commit}, ${m.date}.`,
    '',
    `Parameters: ${Object.entries(report.parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    '',
    ...baselineLine(report.baseline),
    markdownTable(report.rows),
    '',
    ...goalLines(report.goals),
    ...(report.charts ?? []).flatMap((c, i) => [
      `![${c.title.replaceAll(']', ')')}](${chartFileName(report.scenario, i)})`,
      '',
    ]),
    ...report.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/** Writes NAME.svg, NAME-2.svg, … and removes the charts of an earlier run this one does not redraw. */
export function writeCharts(report: Report, dir = resultsDir()): void {
  const own = new RegExp(`^${report.scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\d+)?\\.svg$`);
  for (const name of readdirSync(dir)) if (own.test(name)) rmSync(join(dir, name));
  (report.charts ?? []).forEach((chart, i) => {
    writeFileSync(join(dir, chartFileName(report.scenario, i)), renderChartSvg(chart));
  });
}

/** Writes bench/results/NAME.json, NAME.md and one SVG per chart (NAME.svg, NAME-2.svg, …) and prints the table. */
export function writeReport(report: Report, dir = resultsDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${report.scenario}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeCharts(report, dir);
  const markdown = renderMarkdown(report);
  writeFileSync(join(dir, `${report.scenario}.md`), markdown);
  console.log(`\n${markdown}`);
  console.log(`report: ${join(dir, `${report.scenario}.json`)}`);
}
