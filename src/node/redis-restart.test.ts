/**
 * Redis restarts mid-traffic. Two node processes share PostgreSQL (a schema
 * of this run) and a private `redis-server` started for this test (never the
 * machine's shared one), without persistence: the restart loses every key
 * (presence, routes, the node registry). SDK clients on both nodes keep
 * sending through the outage; afterwards every acknowledged message was
 * delivered to every device exactly once and in order, presence and the node
 * registry are rebuilt by the nodes themselves, messages cross nodes again at
 * once, and /readyz named Redis while it was down.
 * PostgreSQL or redis-server missing: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Message } from '../../sdk/protocol.js';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { freePort, type NodeProcess, spawnNode } from '../testing/node-process.js';
import { PrivateRedis, redisServerMissing } from '../testing/redis-server.js';
import { allAcknowledged, allReceived, assertAllDelivered, SdkPeer } from '../testing/sdk-peer.js';
import { Api, type TestUser, tempDir } from '../testing/server.js';
import { requireServices, testPrefix } from '../testing/services.js';
import { WsClient, waitFor } from '../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), 'redis-server': redisServerMissing() };
const HEARTBEAT_SECONDS = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

requireServices('redis restart under traffic', reasons, () => {
  const nodes: NodeProcess[] = [];
  const peers: SdkPeer[] = [];
  const open: WsClient[] = [];
  const prefix = testPrefix();
  let redis: PrivateRedis;
  let schema: string;
  let dataDir: string;
  let api: Api;

  before(async () => {
    redis = await PrivateRedis.start();
    schema = await createSchema(DATABASE_URL);
    dataDir = await tempDir('chat-redis-restart-');
    const env = {
      DATABASE_URL,
      CHAT_DATABASE_SCHEMA: schema,
      CHAT_DATABASE_POOL_SIZE: '4',
      REDIS_URL: redis.url,
      CHAT_REDIS_PREFIX: prefix,
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: 'redis-restart-secret-redis-restart-secret',
      CHAT_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_SECONDS),
      CHAT_DRAIN_TIMEOUT_SECONDS: '3',
      LOG_LEVEL: 'error',
    };
    const start = async (i: number) =>
      spawnNode({ id: `rr${i}`, port: await freePort(), env, from: 'tsx', readyTimeoutMs: 40_000 });
    nodes.push(await start(0));
    nodes.push(await start(1));
    api = new Api(node(0).url);
  });

  after(async () => {
    for (const peer of peers) peer.close();
    await Promise.all(open.map((client) => client.close()));
    await Promise.all(nodes.map((n) => n.stop(5_000)));
    await redis?.kill();
    if (schema) await dropSchema(DATABASE_URL, schema);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function node(i: number): NodeProcess {
    const found = nodes[i];
    if (!found) throw new Error(`no node ${i}`);
    return found;
  }

  async function connect(on: number, user: TestUser): Promise<WsClient> {
    const client = await WsClient.ready(node(on).url, user.token);
    client.keepAlive(400);
    open.push(client);
    return client;
  }

  async function readyz(on: number): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
    const res = await fetch(`${node(on).url}/readyz`);
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  }

  /** Live node ids in the registry, read from the private Redis. */
  async function registeredNodes(): Promise<string[]> {
    const client = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.zrangebyscore(`${prefix}nodes`, Date.now(), '+inf')).sort();
    } finally {
      client.disconnect();
    }
  }

  describe('redis restart under traffic', () => {
    it('SDK clients keep sending through a Redis restart: nothing lost or doubled, presence and routing rebuilt', async () => {
      const [s0, s1, r0, r1, z, w] = (await Promise.all(
        ['s0', 's1', 'r0', 'r1', 'z', 'w'].map((name) => api.user(`rr_${name}`)),
      )) as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
      const group = await api.group(s0, [s1, r0, r1, z, w]);
      // Senders and readers on both nodes: every message crosses nodes to someone.
      const senders = [new SdkPeer(s0, node(0).url), new SdkPeer(s1, node(1).url)];
      const readers = [new SdkPeer(r0, node(0).url), new SdkPeer(r1, node(1).url)];
      peers.push(...senders, ...readers);
      await Promise.all(peers.map((peer) => peer.client.connect()));
      // z sits on node 1; w watches its presence from node 0.
      const watcher = await connect(0, w);
      await connect(1, z);
      await watcher.next('presence:update', (f) => f.userId === z.user.id && f.status === 'online', 5_000);
      assert.deepEqual(await registeredNodes(), ['rr0', 'rr1']);

      const perSender = 50;
      const sending = senders.map(async (peer, i) => {
        for (let n = 0; n < perSender; n++) {
          peer.send(group, `s${i}-${String(n).padStart(3, '0')}`);
          await sleep(25);
        }
      });
      await waitFor('the first sends', () => (senders.every((p) => p.acked.size >= 10) ? true : undefined), 15_000);

      await redis.kill();
      const ackedAtKill = senders.reduce((sum, p) => sum + p.acked.size, 0);
      const down = await waitFor('/readyz to notice', async () => {
        const answer = await readyz(0);
        return answer.status === 503 ? answer : undefined;
      });
      assert.equal(down.body.error?.code, 'unavailable');
      assert.match(down.body.error?.message ?? '', /redis/, 'readiness names Redis');
      assert.doesNotMatch(down.body.error?.message ?? '', /postgres/, 'PostgreSQL is fine');
      await sleep(1_500);
      await redis.restart();
      await Promise.all(sending);

      const total = senders.length * perSender;
      await allAcknowledged(senders, perSender);
      assert.ok(ackedAtKill < total, `Redis died mid-traffic (${ackedAtKill} of ${total} acknowledged)`);
      const history = await api.request('GET', `/api/v1/conversations/${group}/messages?limit=200`, {
        token: w.token,
      });
      const stored = history.body.messages as Message[];
      await allReceived(peers, group, stored.length);
      assertAllDelivered(stored, senders, peers, perSender);

      // The nodes rebuilt what the restart lost, by themselves.
      await waitFor('both nodes registered again', async () =>
        (await registeredNodes()).join() === 'rr0,rr1' ? true : undefined,
      );
      await waitFor(
        'z online again',
        async () => {
          const res = await api.request('GET', `/api/v1/users/${z.user.id}/presence`, { token: w.token });
          return res.body.status === 'online' ? true : undefined;
        },
        10_000,
      );
      assert.equal((await readyz(0)).status, 200);
      assert.equal((await readyz(1)).status, 200);

      // Routing works again: a new message from node 0 reaches a plain connection on node 1 live.
      const plain = await connect(1, r1);
      const before = plain.seqs(group).length;
      const sent = await api.send(s0, group, 'after the restart');
      assert.equal(sent.status, 201);
      await plain.until(
        () => plain.seqs(group).length > before,
        3_000,
        'the message crosses to node 1 without a reconnect',
      );
      assert.deepEqual(plain.messages(group).at(-1)?.content, 'after the restart');
    });
  });
});
