/** Summarizes a server .cpuprofile into a Markdown report beside the benchmark results. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuProfile, summarizeProfile, type TimeShare } from './cpu-profile.js';

export function writeProfileReport(
  file: string,
  out: string,
  run: { pairs: number; window: number; deliveredPerSecond: number; cpuPercent: number },
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
    `${run.pairs} pairs, window ${run.window}: ${Math.round(run.deliveredPerSecond)} msg/s delivered while profiled ` +
      `(the sampling profiler slows the server somewhat), server CPU ${Math.round(run.cpuPercent)}% of a core. ` +
      `The profile covers the measured interval only: ${summary.wallMs} ms wall, ${summary.busyMs} ms busy on the main thread, ${summary.idleMs} ms idle. ` +
      'V8 samples wall-clock time, so a native call that blocks the thread (better-sqlite3 COMMIT waiting for fsync) counts for as long as it blocks. ' +
      `Percentages are of the busy time. Raw profile: ${file.split('/').at(-1)} (open in Chrome DevTools).`,
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
  writeFileSync(out, markdown);
  console.log(`\n${markdown}`);
  console.log(`profile report: ${join(out)}`);
}
