/** Benchmark reports: the machine, the commit, and the rows, as JSON and Markdown. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

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

export interface Report {
  scenario: string;
  description: string;
  machine: Machine;
  parameters: Record<string, string | number>;
  rows: Row[];
  notes: string[];
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
    markdownTable(report.rows),
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/** Writes bench/results/NAME.json and NAME.md and prints the table. */
export function writeReport(report: Report, dir = join(import.meta.dirname, '..', 'results')): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${report.scenario}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = renderMarkdown(report);
  writeFileSync(join(dir, `${report.scenario}.md`), markdown);
  console.log(`\n${markdown}`);
  console.log(`report: ${join(dir, `${report.scenario}.json`)}`);
}
