/**
 * `group`: groups of 8, 256 and 1,024 members, all online (one WebSocket
 * each), one member sending at a fixed rate; the time from send to delivery at
 * the last member (p50/p99/max), ack latency, server CPU and RSS.
 *
 * One server (built with tsc, fresh data folder) holds every group; the users
 * are shared (the 8-member group's are the first 8 of the 1,024). The bare
 * relay is measured flat out in the same run as the baseline.
 *
 * Options: `--quick` (groups of 8 and 64, 2 s runs), `--sizes=8,256,1024`,
 * `--duration=SECONDS`, `--rate=N` (messages/s for every size; default
 * 10,240 / size deliveries/s, between 5 and 50 messages/s), `--ack-ms=N`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, ms, relayBaseline } from '../lib/compare.js';
import { runGroupLoad } from '../lib/group-driver.js';
import { LoadClient } from '../lib/http-client.js';
import { numberOption, option } from '../lib/options.js';
import { ProcessSampler } from '../lib/proc-stats.js';
import { Progress } from '../lib/progress.js';
import { type Chart, describeMachine, type Goal, type Row, writeReport } from '../lib/report.js';
import { buildServer, startServerProcess } from '../lib/server-process.js';
import { summarize, timeline } from '../lib/stats.js';
import { CONTENT, relayTarget, SECRET } from '../lib/targets.js';
import type { ScenarioOptions } from '../run.js';
import { FLAT_OUT, wsTiming } from './direct.js';

const GOAL_SIZE = 1024;
const GOAL_P99_MS = 100;

interface Registered {
  user: { id: string };
  token: string;
}

async function registerUsers(baseUrl: string, count: number): Promise<Registered[]> {
  const client = new LoadClient(baseUrl, 16);
  const users: Registered[] = new Array(count);
  const progress = new Progress('register users', count, { unit: 'users' });
  let next = 0;
  try {
    // argon2 hashing dominates; a few at a time keeps the server's thread pool busy.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < count) {
          const i = next++;
          const res = await client.request<Registered>('POST', '/api/v1/auth/register', {
            username: `grp_${i}`,
            password: 'bench-password',
          });
          if (res.status >= 300) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
          users[i] = res.body;
          progress.tick();
        }
      }),
    );
  } finally {
    progress.finish();
    client.close();
  }
  return users;
}

export async function groupScenario({ quick }: ScenarioOptions): Promise<void> {
  const sizes = (option('sizes') ?? (quick ? '8,64' : '8,256,1024'))
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 2);
  const durationMs = numberOption('duration', quick ? 2 : 20) * 1000;
  const ackIntervalMs = numberOption('ack-ms', 250);
  const fixedRate = option('rate') === undefined ? undefined : numberOption('rate', 10);
  const rateFor = (size: number) => fixedRate ?? Math.min(50, Math.max(5, Math.round(10240 / size)));
  const warmupMs = quick ? 250 : 1000;
  const drainTimeoutMs = (quick ? 5 : 60) * 1000;

  if (!quick) buildServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-group-'));
  const server = await startServerProcess(
    {
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: SECRET,
      CHAT_MAX_CONNECTIONS_PER_IP: '100000',
      CHAT_MAX_CONNECTIONS_PER_USER: '1000',
      CHAT_MAX_GROUP_MEMBERS: String(Math.max(1024, ...sizes)),
    },
    quick ? 'source' : 'dist',
  );
  const pid = server.child.pid ?? 0;
  const killServer = () => server.child.kill('SIGKILL');
  process.once('exit', killServer);
  try {
    // The baseline first, on an idle machine like every other target.
    const relayPairs = quick ? 25 : 100;
    const relay = await relayTarget(relayPairs);
    const { rounds: _r, bucketMs: _b, ...relayTiming } = wsTiming(quick);
    const relayRecord = await measure(relay, FLAT_OUT, relayTiming, 1000).finally(() => relay.stop());

    const started = performance.now();
    const users = await registerUsers(server.url, Math.max(...sizes));
    console.log(`setup: ${users.length} users in ${Math.round(performance.now() - started)} ms`);
    const owner = users[0];
    if (!owner) throw new Error('no users');
    const client = new LoadClient(server.url, 4);
    const wsBase = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const rows: Row[] = [];
    const charts: Chart['series'] = [];
    const bySize: Chart['series'] = [
      { name: 'to last p50', points: [] },
      { name: 'to last p99', points: [] },
      { name: 'to last max', points: [] },
    ];
    const runs: unknown[] = [];
    let goalRow: { p99: number; faults: number } | undefined;
    let largest: { size: number; cpuUsPerDelivery: number } | undefined;
    for (const size of sizes) {
      const res = await client.request<{ conversation: { id: string } }>(
        'POST',
        '/api/v1/groups',
        { name: `bench ${size}`, memberIds: users.slice(1, size).map((u) => u.user.id) },
        owner.token,
      );
      if (res.status >= 300) throw new Error(`create group: ${res.status} ${JSON.stringify(res.body)}`);
      const rate = rateFor(size);
      const sampler = new ProcessSampler(pid);
      console.log(`group of ${size}: ${rate} msg/s for ${durationMs / 1000} s`);
      const result = await runGroupLoad({
        memberUrls: users.slice(0, size).map((u) => `${wsBase}?token=${u.token}&deviceId=bench`),
        conversationId: res.body.conversation.id,
        messagesPerSecond: rate,
        warmupMs,
        durationMs,
        drainTimeoutMs,
        ackIntervalMs,
        content: CONTENT,
        tag: `g${size}${Date.now().toString(36)}`,
        onMeasureStart: () => sampler.start(),
        onMeasureEnd: () => sampler.stop(),
      });
      sampler.finish();
      const last = summarize(result.lastMs);
      const first = summarize(result.firstMs);
      const ack = summarize(result.ackMs);
      const faults = result.lostDeliveries + result.duplicates + result.outOfOrder + result.errors + result.disconnects;
      rows.push({
        members: size,
        'msg/s sent': rate,
        'deliveries/s': Math.round(result.deliveriesPerSecond),
        'to last p50 ms': ms(last.p50),
        'to last p99 ms': ms(last.p99),
        'to last max ms': ms(last.max),
        'to first p50 ms': ms(first.p50),
        'ack p50 ms': ms(ack.p50),
        'ack p99 ms': ms(ack.p99),
        'CPU %': Math.round(sampler.cpuPercent),
        'CPU µs/delivery': Math.round((sampler.cpuPercent * 1e4) / result.deliveriesPerSecond),
        'RSS MiB': Math.round(sampler.peakRssBytes / 2 ** 20),
        'driver CPU %': Math.round(result.driverCpuPercent),
        'messages measured': last.count,
        'lost deliveries': result.drainTimedOut ? `${result.lostDeliveries} (drain timed out)` : result.lostDeliveries,
        duplicates: result.duplicates,
        'out of order': result.outOfOrder,
      });
      const buckets = timeline(result.lastAtMs, result.lastMs, [], durationMs, quick ? 250 : 1000);
      charts.push({
        name: `${size} members p99`,
        points: buckets.map((b) => [b.atSeconds, b.p99] as [number, number]),
      });
      const { lastMs: _l, lastAtMs: _a, firstMs: _f, ackMs: _k, ...figures } = result;
      runs.push({ ...figures, rate, toLast: last, toFirst: first, ack, timeline: buckets });
      console.log(
        `group of ${size}: to last p50 ${ms(last.p50)} p99 ${ms(last.p99)} max ${ms(last.max)} ms, ${Math.round(result.deliveriesPerSecond)} deliveries/s, ` +
          `cpu ${Math.round(sampler.cpuPercent)}%, lost ${result.lostDeliveries} dup ${result.duplicates} ooo ${result.outOfOrder} err ${result.errors}` +
          (result.firstError ? ` first error: ${result.firstError}` : ''),
      );
      [last.p50, last.p99, last.max].forEach((v, i) => {
        bySize[i]?.points.push([size, v]);
      });
      if (size === GOAL_SIZE) goalRow = { p99: last.p99, faults };
      largest = { size, cpuUsPerDelivery: (sampler.cpuPercent * 1e4) / result.deliveriesPerSecond };
    }
    client.close();

    const goals: Goal[] = goalRow
      ? [
          {
            goal: `a ${GOAL_SIZE.toLocaleString('en')}-member group message reaches the last online member in < ${GOAL_P99_MS} ms p99`,
            measured: `p99 ${ms(goalRow.p99)} ms${goalRow.faults ? `, ${goalRow.faults} delivery faults` : ''}`,
            met: goalRow.p99 < GOAL_P99_MS && goalRow.faults === 0,
          },
        ]
      : [];
    const relayCmp = { targets: [relay], loads: [FLAT_OUT], rounds: 1, get: () => [relayRecord] };
    // CPU per delivery compares the work; deliveries/s would not (the groups run at a fixed rate, the relay flat out).
    const relayUs = (relayRecord.cpuPercent * 1e4) / relayRecord.result.deliveredPerSecond;
    const baseline = relayBaseline(
      relayCmp,
      relay,
      FLAT_OUT,
      relayPairs,
      largest
        ? `${largest.size}-member group: ${Math.round(largest.cpuUsPerDelivery)} µs of server CPU per delivery vs ${Math.round(relayUs)} µs of relay CPU per relayed message (${Math.round((largest.cpuUsPerDelivery / relayUs) * 10) / 10}×)`
        : undefined,
    );
    const machine = describeMachine();
    writeReport({
      scenario: 'group',
      description:
        'Group fan-out: every member online with one WebSocket, one member sending at a fixed rate; time from send to delivery at the last (and first) member.',
      machine,
      parameters: {
        sizes: sizes.join(','),
        warmupSeconds: warmupMs / 1000,
        durationSeconds: durationMs / 1000,
        ackIntervalMs,
        contentBytes: CONTENT.length,
        quick: quick ? 'yes' : 'no',
      },
      baseline,
      rows,
      goals,
      charts: [
        {
          title: 'Send to last member, p99 per interval',
          xLabel: 'seconds into the measured interval',
          yLabel: 'latency ms',
          yLog: true,
          series: charts,
        },
        {
          title: 'Send to last member by group size',
          xLabel: 'members',
          yLabel: 'latency ms',
          yLog: true,
          series: bySize,
        },
      ],
      notes: [
        rows.every((r) => r['lost deliveries'] === 0 && r.duplicates === 0 && r['out of order'] === 0)
          ? 'Delivery check: every member got every message exactly once, with no seq gap.'
          : 'Delivery check: some deliveries were lost, duplicated or out of order (see the rows).',
        "Send rates: open loop, evenly paced; by default about 10,000 deliveries/s for the large groups (5 to 50 messages/s), well under the server's capacity, so the latency is fan-out cost, not queueing. " +
          'Members acknowledge with the cumulative message:received every ' +
          `${ackIntervalMs} ms (as the SDK does), so the server's outboxes stay empty.`,
        `"to last" is from the sender calling send to the last receiving member (of ${sizes.map((s) => s - 1).join(', ')}) parsing message:new; "to first" to the first. The sender's own echo is not counted.`,
        `Machine: ${machine.cpus} cores shared by the driver (which parses every member's frames), the server and (at the time of the run) other work.`,
      ],
      runs: [{ target: 'bare relay', ...relayRecord }, ...runs],
    });
  } finally {
    process.off('exit', killServer);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
