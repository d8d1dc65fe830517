/**
 * Redraws the SVG charts of existing reports from their JSON, after a change to
 * the renderer (bench/lib/chart.ts), without running the scenarios again:
 * `node --import tsx bench/render-charts.ts [NAME…]` (default: every report with charts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Report, resultsDir, writeCharts } from './lib/report.js';

const dir = resultsDir();
const names = process.argv.slice(2);
const files = names.length ? names.map((n) => `${n}.json`) : readdirSync(dir).filter((f) => f.endsWith('.json'));
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Report;
  if (!report.charts?.length) continue;
  // Reports from before series groups existed: "X p99" and "X p50" are one target's.
  for (const chart of report.charts) {
    for (const s of chart.series)
      if (s.group === undefined && / p\d+$/.test(s.name)) s.group = s.name.replace(/ p\d+$/, '');
  }
  writeCharts(report, dir);
  console.log(`${report.scenario}: ${report.charts.length} chart(s)`);
}
