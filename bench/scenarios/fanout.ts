/**
 * `fanout`: one message to many readers. Groups of 256 and 1,024 members, all
 * online (one WebSocket each), and a broadcast channel of 10,000 members of
 * whom 500 are online; the admin (member 0) sends at a fixed rate. Reports the
 * time from send to the last online member's receipt (p50/p99/max) and to the
 * sender's ack, server CPU and RSS, and checks every online member got every
 * message once, in order.
 *
 * Setup writes straight into the server's fresh SQLite file before the server
 * starts (users in one transaction, groups and the channel through the store),
 * and the connections use tokens signed with the server's secret: registering
 * 10,000 users over REST would spend minutes hashing passwords. The server then
 * runs as its own process; the load comes from this one.
 *
 * Options: `--quick` (a group of 64 and a channel of 1,000 with 100 online, 2 s
 * runs), `--duration=SECONDS`, `--channel=MEMBERS`, `--online=N`, `--rate=N`
 * (messages/s for every target; default about 10,000 deliveries/s, 5-50 msg/s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TokenService } from '../../src/auth/tokens.js';
import { openDirectStorage } from '../../src/store/sqlite/direct.js';
import { ms } from '../lib/compare.js';
import { runGroupLoad } from '../lib/group-driver.js';
import { numberOption, option } from '../lib/options.js';
import { ProcessSampler } from '../lib/proc-stats.js';
import { type Chart, describeMachine, type Row, writeReport } from '../lib/report.js';
import { buildServer, startServerProcess } from '../lib/server-process.js';
import { summarize, timeline } from '../lib/stats.js';
import { CONTENT, SECRET } from '../lib/targets.js';
import type { ScenarioOptions } from '../run.js';

interface Target {
  name: string;
  conversationId: string;
  /** Members in the conversation. */
  members: number;
  /** Member 0 (the sender, an admin) and the other online members. */
  online: string[];
}

const ADD_CHUNK = 1000;

/** Users, two groups and the channel, written before the server opens the file. */
async function seed(dataDir: string, sizes: readonly number[], channelMembers: number) {
  const path = join(dataDir, 'chat.db');
  // Opening the store once creates the schema.
  await openDirectStorage({ path }).close();
  const userCount = Math.max(channelMembers, ...sizes);
  const ids = Array.from({ length: userCount }, (_, i) => `bench-user-${i}`);
  const db = new Database(path);
  const insert = db.prepare(
    `INSERT INTO users (id, username, display_name, password_hash, created_at)
     VALUES (?, ?, ?, 'bench:no-login', ?)`,
  );
  const createdAt = new Date().toISOString();
  db.transaction(() => {
    for (const [i, id] of ids.entries()) insert.run(id, `fan_${i}`, `Reader ${i}`, createdAt);
  })();
  db.close();

  const storage = openDirectStorage({ path });
  const owner = ids[0] ?? '';
  const at = () => new Date().toISOString();
  const system = (event: 'group_created' | 'channel_created') => ({
    id: `sys-${event}-${Math.random().toString(36).slice(2)}`,
    senderId: owner,
    content: event,
    createdAt: at(),
    system: { event, actorId: owner, targetId: null },
  });
  const groups: { size: number; id: string }[] = [];
  for (const size of sizes) {
    const change = await storage.conversations.createGroup({
      id: `bench-group-${size}`,
      name: `group of ${size}`,
      avatarUrl: null,
      createdBy: owner,
      createdAt: at(),
      memberIds: ids.slice(1, size),
      system: system('group_created'),
    });
    groups.push({ size, id: change.conversation.id });
  }
  const channel = await storage.channels.create(
    {
      id: 'bench-channel',
      name: 'bench channel',
      avatarUrl: null,
      public: true,
      createdBy: owner,
      createdAt: at(),
      memberIds: [],
      system: system('channel_created'),
    },
    channelMembers,
  );
  for (let i = 1; i < channelMembers; i += ADD_CHUNK) {
    await storage.channels.addMembers(channel.conversation.id, ids.slice(i, i + ADD_CHUNK), at(), channelMembers);
  }
  await storage.close();
  return { ids, groups, channelId: channel.conversation.id };
}

export async function fanoutScenario({ quick }: ScenarioOptions): Promise<void> {
  const sizes = quick ? [64] : [256, 1024];
  const channelMembers = numberOption('channel', quick ? 1000 : 10_000);
  const onlineReaders = numberOption('online', quick ? 100 : 500);
  const durationMs = numberOption('duration', quick ? 2 : 20) * 1000;
  const fixedRate = option('rate') === undefined ? undefined : numberOption('rate', 10);
  const rateFor = (online: number) => fixedRate ?? Math.min(50, Math.max(5, Math.round(10240 / online)));
  const warmupMs = quick ? 250 : 1000;
  const drainTimeoutMs = (quick ? 5 : 60) * 1000;

  if (!quick) buildServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-fanout-'));
  const started = performance.now();
  const world = await seed(dataDir, sizes, channelMembers);
  const setupMs = Math.round(performance.now() - started);
  console.log(
    `setup: ${world.ids.length} users, ${sizes.length} groups, a channel of ${channelMembers} in ${setupMs} ms`,
  );
  const server = await startServerProcess(
    {
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: SECRET,
      CHAT_MAX_CONNECTIONS_PER_IP: '100000',
      CHAT_MAX_CONNECTIONS_PER_USER: '1000',
      CHAT_MAX_GROUP_MEMBERS: String(Math.max(1024, ...sizes)),
      CHAT_MAX_CHANNEL_MEMBERS: String(channelMembers),
      // The driver does not ping while it opens 1,024 connections, which can take over a minute.
      CHAT_HEARTBEAT_TIMEOUT_SECONDS: '600',
    },
    quick ? 'source' : 'dist',
  );
  const pid = server.child.pid ?? 0;
  const killServer = () => server.child.kill('SIGKILL');
  process.once('exit', killServer);
  try {
    const tokens = new TokenService(SECRET, 24 * 3600);
    const wsBase = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const urlsOf = async (userIds: readonly string[]) =>
      Promise.all(userIds.map(async (id) => `${wsBase}?token=${await tokens.issue(id)}&deviceId=bench`));
    const targets: Target[] = [
      ...world.groups.map((g) => ({
        name: `group of ${g.size.toLocaleString('en')}`,
        conversationId: g.id,
        members: g.size,
        online: world.ids.slice(0, g.size),
      })),
      {
        name: `channel of ${channelMembers.toLocaleString('en')}`,
        conversationId: world.channelId,
        members: channelMembers,
        // The admin and readers spread over the channel (not only the first users).
        online: [
          world.ids[0] ?? '',
          ...Array.from(
            { length: onlineReaders - 1 },
            (_, i) => world.ids[1 + Math.floor((i * (channelMembers - 1)) / (onlineReaders - 1))] ?? '',
          ),
        ],
      },
    ];
    const rows: Row[] = [];
    const series: Chart['series'] = [];
    const runs: unknown[] = [];
    for (const target of targets) {
      const rate = rateFor(target.online.length);
      const sampler = new ProcessSampler(pid);
      console.log(`${target.name} (${target.online.length} online): ${rate} msg/s for ${durationMs / 1000} s`);
      const result = await runGroupLoad({
        memberUrls: await urlsOf(target.online),
        conversationId: target.conversationId,
        messagesPerSecond: rate,
        warmupMs,
        durationMs,
        drainTimeoutMs,
        ackIntervalMs: 250,
        content: CONTENT,
        tag: `f${target.members}${Date.now().toString(36)}`,
        onMeasureStart: () => sampler.start(),
        onMeasureEnd: () => sampler.stop(),
      });
      sampler.finish();
      const last = summarize(result.lastMs);
      const ack = summarize(result.ackMs);
      rows.push({
        target: target.name,
        online: target.online.length,
        'msg/s sent': rate,
        'deliveries/s': Math.round(result.deliveriesPerSecond),
        'to last p50 ms': ms(last.p50),
        'to last p99 ms': ms(last.p99),
        'to last max ms': ms(last.max),
        'ack p50 ms': ms(ack.p50),
        'ack p99 ms': ms(ack.p99),
        'CPU %': Math.round(sampler.cpuPercent),
        'RSS MiB': Math.round(sampler.peakRssBytes / 2 ** 20),
        'messages measured': last.count,
        'lost deliveries': result.drainTimedOut ? `${result.lostDeliveries} (drain timed out)` : result.lostDeliveries,
        duplicates: result.duplicates,
        'out of order': result.outOfOrder,
      });
      const buckets = timeline(result.lastAtMs, result.lastMs, [], durationMs, quick ? 250 : 1000);
      series.push({ name: `${target.name} p99`, points: buckets.map((b) => [b.atSeconds, b.p99] as [number, number]) });
      const { lastMs: _l, lastAtMs: _a, firstMs: _f, ackMs: _k, ...figures } = result;
      runs.push({ target: target.name, ...figures, rate, toLast: last, ack, timeline: buckets });
      console.log(
        `${target.name}: to last p50 ${ms(last.p50)} p99 ${ms(last.p99)} max ${ms(last.max)} ms, ack p50 ${ms(ack.p50)} ms, ` +
          `lost ${result.lostDeliveries} dup ${result.duplicates} ooo ${result.outOfOrder} err ${result.errors}` +
          (result.firstError ? ` first error: ${result.firstError}` : ''),
      );
    }

    const machine = describeMachine();
    writeReport({
      scenario: 'fanout',
      description:
        'Fan-out of one message to many readers: groups with every member online, and a broadcast channel (stored once, no per-reader outbox, cursor or receipt) with a share of its members online. Time from send to the last online member and to the sender\u2019s ack.',
      machine,
      parameters: {
        groups: sizes.join(','),
        channelMembers,
        channelOnline: onlineReaders,
        warmupSeconds: warmupMs / 1000,
        durationSeconds: durationMs / 1000,
        contentBytes: CONTENT.length,
        setupSeconds: Math.round(setupMs / 100) / 10,
        quick: quick ? 'yes' : 'no',
      },
      rows,
      charts: [
        {
          title: 'Send to last online member, p99 per interval',
          xLabel: 'seconds into the measured interval',
          yLabel: 'latency ms',
          yLog: true,
          series,
        },
      ],
      notes: [
        rows.every((r) => r['lost deliveries'] === 0 && r.duplicates === 0 && r['out of order'] === 0)
          ? 'Delivery check: every online member got every message exactly once, with no seq gap.'
          : 'Delivery check: some deliveries were lost, duplicated or out of order (see the rows).',
        '"to last" is from the sender calling send to the last online receiver parsing message:new; "ack" to the sender\u2019s message:ack (durable). The sender\u2019s own echo is not counted.',
        'Open-loop, evenly paced sends: by default about 10,000 deliveries/s (5 to 50 messages/s), so the latency is the fan-out\u2019s cost, not queueing.',
        `The channel's ${channelMembers.toLocaleString('en')} members cost one membership row each: its messages are stored once, read no recipient list at append, and write no outbox row, device cursor or sent mark per reader; offline readers catch up with sync when they open it. Group members acknowledge with message:received every 250 ms; in the channel those acks store nothing.`,
        `Machine: ${machine.cpus} cores shared by the driver (which parses every member's frames), the server and (at the time of the run) other work.`,
      ],
      runs,
    });
  } finally {
    process.off('exit', killServer);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
