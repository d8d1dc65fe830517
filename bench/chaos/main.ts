/**
 * `npm run chaos` (embedded) and `npm run chaos -- --cluster` (3 nodes on
 * PostgreSQL and Redis). Options: --seed N, --duration SECONDS (180),
 * --clients N (200), --conversations N (60), --rate SENDS_PER_SECOND (40),
 * --kill-every SECONDS (30 embedded, 15 cluster), --churn-every SECONDS (20; a
 * member leaves a group) or --no-churn, --unsafe-ack-before-commit
 * (the negative control: expect FAIL), --out NAME (report file name).
 * Exits 0 when every invariant held, 1 otherwise.
 */
import { buildReport, renderText, writeReport } from './report.js';
import { defaultOptions, runChaos } from './run.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
function number(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}
function text(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

const cluster = flag('cluster');
const defaults = defaultOptions(cluster);
const options = {
  ...defaults,
  seed: number('seed', defaults.seed),
  durationMs: number('duration', defaults.durationMs / 1000) * 1000,
  clients: number('clients', defaults.clients),
  conversations: number('conversations', defaults.conversations),
  ratePerSecond: number('rate', defaults.ratePerSecond),
  killEveryMs: number('kill-every', defaults.killEveryMs / 1000) * 1000,
  churnEveryMs: args.includes('--no-churn') ? 0 : number('churn-every', defaults.churnEveryMs / 1000) * 1000,
  unsafeAckBeforeCommit: flag('unsafe-ack-before-commit'),
};
const outcome = await runChaos(options);
const report = buildReport(outcome);
console.log(`\n${renderText(report)}\n`);
const name = text('out') ?? (options.unsafeAckBeforeCommit ? `${report.scenario}-negative-control` : report.scenario);
console.log(`report: ${writeReport(report, name)}`);
process.exit(report.verdict === 'PASS' ? 0 : 1);
