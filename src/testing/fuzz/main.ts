/**
 * `npm run fuzz`: the bigger fuzzing run. Options: --scale N (multiplies the
 * input counts, default 1), --seed N. Writes bench/results/fuzz.json and
 * fuzz.md: inputs tried, crashes and 5xx per fuzzer (both must be 0), how
 * connections ended, and the seed to replay a failure with.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine } from '../../../bench/lib/report.js';
import { startTestServer } from '../server.js';
import { fuzzFrames } from './frames.js';
import { fuzzModel } from './model.js';
import { fuzzRest } from './rest.js';
import { abuseSockets } from './socket-abuse.js';
import { type FuzzTally, startFuzzTarget, tally } from './target.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  return Number.isFinite(value) ? value : fallback;
};
const scale = option('scale', 1);
const seed = option('seed', Date.now() % 2 ** 31);
const SECRET = 'fuzz-main-secret-fuzz-main-secret-0123456789';

interface Row {
  tally: FuzzTally;
  seconds: number;
  failure: string | null;
}

const rows: Row[] = [];
async function step(name: string, body: (t: FuzzTally) => Promise<void>): Promise<void> {
  const t = tally(name);
  const started = performance.now();
  let failure: string | null = null;
  try {
    await body(t);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    if (/exited|healthz/.test(failure)) t.crashes++;
  }
  rows.push({ tally: t, seconds: Math.round((performance.now() - started) / 100) / 10, failure });
  console.log(
    `${name}: ${t.inputs} inputs, ${t.crashes} crashes, ${t.serverErrors} 5xx${failure ? `, FAILED: ${failure}` : ''}`,
  );
}

const target = await startFuzzTarget();
try {
  await step('raw WebSocket abuse', (t) => abuseSockets(target, Math.max(1, Math.round(3 * scale)), t));
  await step('adversarial frames', (t) => fuzzFrames(target, { runs: Math.round(3_000 * scale), seed }, t));
} finally {
  await target.close();
}
const server = await startTestServer({ CHAT_JWT_SECRET: SECRET, CHAT_LOGIN_LIMIT_PER_IP: '100000' });
try {
  const { api } = server;
  const [alice, bob, carol, outsider] = await Promise.all(['fm_a', 'fm_b', 'fm_c', 'fm_o'].map((n) => api.user(n)));
  if (!alice || !bob || !carol || !outsider) throw new Error('users');
  const group = await api.group(alice, [bob]);
  const direct = await api.direct(alice, bob);
  const sent = await api.send(alice, group, 'hello');
  await step('REST from route schemas', (t) =>
    fuzzRest(
      {
        api,
        routes: server.node.app.registeredRoutes,
        schemas: server.node.app.routeSchemas,
        alice,
        outsider,
        privateIds: [group, direct, sent.body.message.id],
        publicIds: [alice.user.id, bob.user.id, outsider.user.id],
      },
      { runs: Math.round(5_000 * scale), seed },
      t,
    ),
  );
  await step('protocol model', (t) =>
    fuzzModel(
      { api, url: server.url, users: [alice, bob, carol], secret: SECRET },
      { runs: Math.round(60 * scale), seed, maxCommands: 30 },
      t,
    ),
  );
} finally {
  await server.close();
}

const failed = rows.some((r) => r.failure || r.tally.crashes || r.tally.serverErrors);
const report = {
  scenario: 'fuzz',
  verdict: failed ? 'FAIL' : 'PASS',
  machine: describeMachine(),
  parameters: { scale, seed },
  fuzzers: rows.map((r) => ({ ...r.tally, seconds: r.seconds, failure: r.failure })),
  totals: {
    inputs: rows.reduce((n, r) => n + r.tally.inputs, 0),
    crashes: rows.reduce((n, r) => n + r.tally.crashes, 0),
    serverErrors: rows.reduce((n, r) => n + r.tally.serverErrors, 0),
  },
};
const markdown = [
  `# Fuzzing — ${report.verdict}`,
  '',
  `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}. Commit ${report.machine.commit}, ${report.machine.date}.`,
  `Seed ${seed}, scale ${scale} (replay with \`npm run fuzz -- --seed ${seed} --scale ${scale}\`).`,
  '',
  '| fuzzer | inputs | crashes | 5xx | seconds | how connections ended | result |',
  '|---|---|---|---|---|---|---|',
  ...report.fuzzers.map(
    (f) =>
      `| ${f.name} | ${f.inputs} | ${f.crashes} | ${f.serverErrors} | ${f.seconds} | ${
        Object.entries(f.closes)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ') || '-'
      } | ${f.failure ? `FAILED: ${f.failure.split('\n')[0]}` : 'pass'} |`,
  ),
  `| **total** | ${report.totals.inputs} | ${report.totals.crashes} | ${report.totals.serverErrors} | | | |`,
  '',
  ...report.fuzzers.flatMap((f) => f.notes.map((n) => `- ${f.name}: ${n}`)),
  '',
].join('\n');
const dir = join(import.meta.dirname, '..', '..', '..', 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'fuzz.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'fuzz.md'), markdown);
console.log(`\n${markdown}\nreport: ${join(dir, 'fuzz.json')}`);
process.exit(failed ? 1 : 0);
