/**
 * `store`: how fast messages become durable. 100-byte messages appended
 * (a) through the store one at a time (one transaction and fsync each),
 * (b) through the store by 50 concurrent senders (group commit, as the server does),
 * (c) through the HTTP API by 50 concurrent senders against a server process,
 *     beside GET /healthz under the same load: the floor of the HTTP stack here.
 * Each configuration runs several rounds, interleaved; the report quotes medians.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStorage } from '../../src/store/sqlite/index.js';
import type { Storage } from '../../src/store/stores.js';
import { LoadClient } from '../lib/http-client.js';
import { describeMachine, type Row, writeReport } from '../lib/report.js';
import { buildServer, startServerProcess } from '../lib/server-process.js';
import { median, summarize } from '../lib/stats.js';
import type { ScenarioOptions } from '../run.js';

const CONTENT = 'x'.repeat(100);
const SENDERS = 50;

interface RoundResult {
  messagesPerSecond: number;
  latenciesMs: number[];
}

async function runWorkers(
  total: number,
  concurrency: number,
  send: (worker: number, index: number) => Promise<void>,
): Promise<RoundResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        await send(worker, index);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { messagesPerSecond: total / seconds, latenciesMs };
}

async function seedStore(storage: Storage): Promise<string[]> {
  const now = new Date().toISOString();
  const conversationIds: string[] = [];
  for (let i = 0; i < SENDERS; i++) {
    const ids = [`a${i}`, `b${i}`];
    for (const id of ids) {
      await storage.users.create({ id, username: id, displayName: id, phone: null, passwordHash: 'x', createdAt: now });
    }
    const { conversation } = await storage.conversations.getOrCreateDirect(`c${i}`, ids[0] ?? '', ids[1] ?? '', now);
    conversationIds.push(conversation.id);
  }
  return conversationIds;
}

async function storeRound(concurrency: number, total: number): Promise<RoundResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  try {
    const conversations = await seedStore(storage);
    const run = randomBytes(4).toString('hex');
    return await runWorkers(total, concurrency, async (worker, index) => {
      const pair = worker % SENDERS;
      await storage.messages.append({
        id: `${run}-${index}`,
        conversationId: conversations[pair] ?? '',
        senderId: `a${pair}`,
        clientMsgId: `${run}-${index}`,
        type: 'text',
        content: CONTENT,
        mediaId: null,
        replyToId: null,
        createdAt: new Date().toISOString(),
        system: null,
      });
    });
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function withServer<T>(work: (client: LoadClient) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-http-'));
  const server = await startServerProcess({
    CHAT_DATA_DIR: dir,
    CHAT_JWT_SECRET: 'bench-secret-bench-secret-bench-secret!',
  });
  const client = new LoadClient(server.url);
  try {
    return await work(client);
  } finally {
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The floor of the HTTP stack here: a route with no auth, validation or storage. */
function healthzRound(total: number): Promise<RoundResult> {
  return withServer((client) =>
    runWorkers(total, SENDERS, async () => {
      const { status } = await client.request('GET', '/healthz');
      if (status !== 200) throw new Error(`healthz: ${status}`);
    }),
  );
}

function httpRound(total: number): Promise<RoundResult> {
  return withServer(async (client) => {
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await client.request<Answer>('POST', path, body, token);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const senders: { token: string; conversationId: string }[] = [];
    for (let i = 0; i < SENDERS; i++) {
      const a = await post('/api/v1/auth/register', { username: `sender${i}`, password: 'bench-password' });
      const b = await post('/api/v1/auth/register', { username: `receiver${i}`, password: 'bench-password' });
      const { conversation } = await post('/api/v1/conversations', { type: 'direct', userId: b.user.id }, a.token);
      senders.push({ token: a.token, conversationId: conversation.id });
    }
    return runWorkers(total, SENDERS, async (worker, index) => {
      const sender = senders[worker];
      if (!sender) return;
      await post(
        '/api/v1/messages',
        { conversationId: sender.conversationId, clientMsgId: `m${index}`, content: CONTENT },
        sender.token,
      );
    });
  });
}

interface Answer {
  token: string;
  user: { id: string };
  conversation: { id: string };
}

export async function storeScenario({ quick }: ScenarioOptions): Promise<void> {
  const rounds = quick ? 1 : 3;
  const sizes = quick
    ? { sequential: 200, grouped: 2000, http: 1000 }
    : { sequential: 2000, grouped: 50_000, http: 20_000 };
  buildServer();
  const configs = [
    { name: 'store, 1 sender (one commit per message)', run: () => storeRound(1, sizes.sequential) },
    { name: `store, ${SENDERS} concurrent senders (group commit)`, run: () => storeRound(SENDERS, sizes.grouped) },
    { name: `HTTP GET /healthz, ${SENDERS} concurrent clients (HTTP floor)`, run: () => healthzRound(sizes.http) },
    { name: `HTTP POST /messages, ${SENDERS} concurrent senders`, run: () => httpRound(sizes.http) },
  ];
  const results = configs.map(() => [] as RoundResult[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, config] of configs.entries()) {
      const result = await config.run();
      results[i]?.push(result);
      console.log(`round ${round + 1}/${rounds} ${config.name}: ${Math.round(result.messagesPerSecond)} msg/s`);
    }
  }
  const baseline = median(results[0]?.map((r) => r.messagesPerSecond) ?? []);
  const rows: Row[] = configs.map((config, i) => {
    const rs = results[i] ?? [];
    const throughput = median(rs.map((r) => r.messagesPerSecond));
    const latency = summarize(rs.flatMap((r) => r.latenciesMs));
    return {
      configuration: config.name,
      'messages/s (median)': Math.round(throughput),
      'vs one-at-a-time': `${(throughput / baseline).toFixed(1)}×`,
      'p50 ms': latency.p50,
      'p99 ms': latency.p99,
      'max ms': latency.max,
      messages: latency.count,
    };
  });
  writeReport({
    scenario: 'store',
    description:
      'Durable message appends (SQLite WAL, synchronous=FULL: every acknowledged message is fsynced). 100-byte messages, 50 direct conversations.',
    machine: describeMachine(),
    parameters: { rounds, ...sizes, senders: SENDERS },
    rows,
    notes: [
      'Throughput is the median over rounds; latency percentiles pool every round.',
      'The HTTP row includes auth (JWT verify), validation, membership checks and JSON over loopback, driven from another process.',
    ],
  });
}
