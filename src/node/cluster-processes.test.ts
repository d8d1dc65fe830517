/**
 * Three nodes as separate processes (`node --import tsx src/node/main.ts`)
 * sharing PostgreSQL (a schema of this run) and Redis (a key prefix of this
 * run): concurrent senders on different nodes are delivered everywhere in seq
 * order; then one node is killed with SIGKILL while SDK clients keep sending.
 * The clients that were on it move to another node (a new ChatClient with the
 * same deviceId, outbox storage and cursors), and afterwards no acknowledged
 * message is lost, none is stored or delivered twice, every connection saw
 * each conversation in order, and the users left on the dead node go offline
 * within the heartbeat window.
 * PostgreSQL or Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import WS from 'ws';
import { ChatClient } from '../../sdk/client.js';
import type { Message } from '../../sdk/protocol.js';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { freePort, type NodeProcess, spawnNode } from '../testing/node-process.js';
import { Api, type TestUser, tempDir } from '../testing/server.js';
import { dropPrefix, REDIS_URL, redisUnreachable, requireServices, testPrefix } from '../testing/services.js';
import { WsClient } from '../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };
const HEARTBEAT_SECONDS = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
  };
}

requireServices('three node processes', reasons, () => {
  const nodes: NodeProcess[] = [];
  const dead = new Set<number>();
  const prefix = testPrefix();
  const open: WsClient[] = [];
  const peers: Peer[] = [];
  let schema: string;
  let dataDir: string;
  let api: Api;

  before(async () => {
    schema = await createSchema(DATABASE_URL);
    dataDir = await tempDir('chat-cluster-');
    const env = {
      DATABASE_URL,
      CHAT_DATABASE_SCHEMA: schema,
      CHAT_DATABASE_POOL_SIZE: '4',
      REDIS_URL,
      CHAT_REDIS_PREFIX: prefix,
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: 'cluster-secret-cluster-secret-cluster-secret',
      CHAT_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_SECONDS),
      CHAT_DRAIN_TIMEOUT_SECONDS: '3',
      LOG_LEVEL: 'warn',
    };
    const start = async (i: number) =>
      spawnNode({ id: `p${i}`, port: await freePort(), env, from: 'tsx', readyTimeoutMs: 40_000 });
    // The first node creates the tables; the others start together once it is up.
    nodes.push(await start(0));
    nodes.push(...(await Promise.all([start(1), start(2)])));
    api = new Api(nodes[0]?.url ?? '');
  });

  after(async () => {
    for (const peer of peers) peer.client.close();
    await Promise.all(open.map((client) => client.close()));
    await Promise.all(nodes.map((node) => node.stop(5_000)));
    await dropSchema(DATABASE_URL, schema);
    await dropPrefix(prefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  const node = (i: number): NodeProcess => {
    const found = nodes[i];
    if (!found) throw new Error(`no node ${i}`);
    return found;
  };

  async function connect(on: number, user: TestUser): Promise<WsClient> {
    const client = await WsClient.ready(node(on).url, user.token);
    client.keepAlive(400);
    open.push(client);
    return client;
  }

  /**
   * One device driven through the SDK. When its node dies it moves to the next
   * live one: a new ChatClient with the same deviceId, the same outbox storage
   * (unacknowledged sends go out again with their clientMsgIds) and the cursors
   * of the old one (nothing is handed to the app twice).
   */
  class Peer {
    client: ChatClient;
    readonly storage = memoryStorage();
    readonly deviceId: string;
    /** What the app got, per conversation, in order, across every ChatClient of this device. */
    readonly received = new Map<string, Message[]>();
    /** clientMsgId → stored message, for every send the server acknowledged. */
    readonly acked = new Map<string, Message>();
    moves = 0;

    constructor(
      readonly user: TestUser,
      public on: number,
    ) {
      this.deviceId = `dev-${user.user.id.slice(0, 8)}`;
      this.client = this.open();
    }

    private open(cursors?: Record<string, number>): ChatClient {
      const client = new ChatClient({
        baseUrl: node(this.on).url,
        token: this.user.token,
        WebSocket: WS,
        deviceId: this.deviceId,
        storage: this.storage,
        reconnect: { baseMs: 50, maxMs: 300 },
        heartbeatIntervalMs: 700,
        gapWaitMs: 200,
        ackDelayMs: 20,
        sendRetryDelayMs: 50,
        ...(cursors ? { cursors } : {}),
      });
      client.on('message', (message) => {
        const list = this.received.get(message.conversationId) ?? [];
        list.push(message);
        this.received.set(message.conversationId, list);
      });
      client.on('sendAcked', ({ send, message }) => this.acked.set(send.clientMsgId, message));
      client.on('disconnected', () => {
        if (this.client === client && dead.has(this.on)) this.move();
      });
      client.on('error', () => {});
      return client;
    }

    private move(): void {
      const old = this.client;
      const cursors = old.cursors();
      old.close();
      for (let step = 1; step < nodes.length; step++) {
        const next = (this.on + step) % nodes.length;
        if (!dead.has(next)) {
          this.on = next;
          break;
        }
      }
      this.moves++;
      this.client = this.open(cursors);
      void this.client.connect().catch(() => {});
    }

    /** Queues a send; its acknowledgement shows in `acked` (the promise dies with a replaced client). */
    send(conversationId: string, clientMsgId: string): void {
      this.client.send(conversationId, `message ${clientMsgId}`, { clientMsgId }).catch(() => {});
    }

    seqs(conversationId: string): number[] {
      return (this.received.get(conversationId) ?? []).map((m) => m.seq);
    }
  }

  /** The conversation's lastSeq now (a group starts with its system message). */
  async function lastSeqOf(conversationId: string, user: TestUser): Promise<number> {
    const res = await api.request('GET', `/api/v1/conversations/${conversationId}`, { token: user.token });
    return res.body.conversation.lastSeq as number;
  }

  function assertDense(seqs: number[], lastSeq: number, what: string): void {
    const expected = Array.from({ length: lastSeq }, (_, i) => i + 1);
    assert.deepEqual(seqs, expected, `${what}: every seq from 1 to ${lastSeq} once, in order`);
  }

  describe('three node processes', () => {
    it('concurrent senders on every node: each connection sees dense increasing seqs', async () => {
      const users = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => api.user(`cp_grp${i}`)));
      const [admin, ...rest] = users as [TestUser, ...TestUser[]];
      const group = await api.group(admin, rest);
      const base = await lastSeqOf(group, admin);
      const clients = await Promise.all(users.map((user, i) => connect(i % 3, user)));
      const perSender = 20;
      const acks = await Promise.all(
        clients.map(async (client, i) => {
          const seqs: number[] = [];
          for (let n = 0; n < perSender; n++) seqs.push((await client.sendMessage(group, `m${i}-${n}`)).message.seq);
          return seqs;
        }),
      );
      const all = acks.flat();
      const lastSeq = base + clients.length * perSender;
      assert.equal(new Set(all).size, clients.length * perSender, 'every send got its own seq');
      assert.equal(Math.max(...all), lastSeq);
      for (const [i, seqs] of acks.entries()) {
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          `sender ${i}: its seqs follow its send order`,
        );
      }
      for (const [i, client] of clients.entries()) {
        await client.until(
          () => client.seqs(group).includes(lastSeq),
          15_000,
          `connection ${i} (node p${i % 3}) sees seq ${lastSeq}`,
        );
        assertDense(client.seqs(group), lastSeq, `connection ${i} on node p${i % 3}`);
      }
    });

    it('kill -9 of a node while SDK clients send: nothing acknowledged lost or doubled, order kept, presence expires', async () => {
      // s0..s2 send into the group, one per node; r1 (on the victim) only reads; z stays on the victim and
      // never reconnects (its presence must expire); w watches presence from a surviving node.
      const [s0, s1, s2, r1, z, w] = (await Promise.all(
        ['s0', 's1', 's2', 'r1', 'z', 'w'].map((name) => api.user(`cp_kill_${name}`)),
      )) as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
      const group = await api.group(s0, [s1, s2, r1, z, w]);
      const base = await lastSeqOf(group, s0);
      const victim = 1;
      const senders = [new Peer(s0, 0), new Peer(s1, 1), new Peer(s2, 2)];
      const reader = new Peer(r1, victim);
      peers.push(...senders, reader);
      await Promise.all(peers.map((peer) => peer.client.connect()));
      const watcher = await connect(0, w);
      await connect(victim, z);
      await watcher.next('presence:update', (f) => f.userId === z.user.id && f.status === 'online', 5_000);

      const perSender = 60;
      let killedAt = 0;
      const sending = senders.map(async (peer, i) => {
        for (let n = 0; n < perSender; n++) {
          peer.send(group, `s${i}-${String(n).padStart(3, '0')}`);
          await sleep(15);
        }
      });
      await waitFor(() => (senders[victim]?.acked.size ?? 0) >= 15, 'the first sends through the victim');
      dead.add(victim);
      killedAt = Date.now();
      await node(victim).kill();
      const ackedAtKill = senders[victim]?.acked.size ?? 0;
      await Promise.all(sending);

      const offline = await watcher.next(
        'presence:update',
        (f) => f.userId === z.user.id && f.status === 'offline',
        (HEARTBEAT_SECONDS + 4) * 1000,
      );
      const offlineAfter = Date.now() - killedAt;
      assert.ok(offline);
      assert.ok(
        offlineAfter <= HEARTBEAT_SECONDS * 1000 + 1_500,
        `z offline ${offlineAfter} ms after the kill (window ${HEARTBEAT_SECONDS} s)`,
      );

      const total = senders.length * perSender;
      await waitFor(() => senders.every((p) => p.acked.size === perSender), 'every send acknowledged', 20_000);
      for (const peer of peers) {
        await waitFor(() => peer.seqs(group).length >= base + total, `${peer.user.user.id} received all`, 15_000);
      }
      assert.ok(ackedAtKill < perSender, `the kill came mid-stream (${ackedAtKill} of ${perSender} acknowledged)`);
      assert.ok((senders[victim]?.moves ?? 0) >= 1 && reader.moves >= 1, 'the victim’s clients moved');
      assert.ok(
        peers.every((p) => !dead.has(p.on)),
        'every SDK client ended on a live node',
      );

      // The store: every acknowledged message once, and nothing else.
      const history = await api.request('GET', `/api/v1/conversations/${group}/messages?limit=200`, {
        token: w.token,
      });
      const all = history.body.messages as Message[];
      assert.deepEqual(
        all.map((m) => m.seq),
        Array.from({ length: base + total }, (_, i) => i + 1),
        'history: dense seqs',
      );
      const stored = all.filter((m) => m.type !== 'system');
      const storedIds = stored.map((m) => m.clientMsgId);
      assert.equal(stored.length, total, 'exactly the sent messages are stored');
      assert.equal(new Set(storedIds).size, total, 'no clientMsgId stored twice');
      for (const peer of senders) {
        for (const [clientMsgId, message] of peer.acked) {
          const found = stored.find((m) => m.clientMsgId === clientMsgId);
          assert.equal(found?.id, message.id, `acknowledged ${clientMsgId} is stored as acknowledged`);
        }
        // A sender's messages keep its send order (the SDK sends one at a time per conversation).
        const own = stored.filter((m) => m.senderId === peer.user.user.id).map((m) => m.clientMsgId);
        assert.deepEqual(own, [...own].sort(), `${peer.user.user.id}: stored in send order`);
      }
      // Every device: each message once, in seq order, across its reconnections and node moves.
      for (const peer of peers) {
        assertDense(peer.seqs(group), base + total, `device ${peer.deviceId}`);
        assert.deepEqual(
          (peer.received.get(group) ?? []).map((m) => m.id),
          all.map((m) => m.id),
          `device ${peer.deviceId} got the stored messages`,
        );
      }
      const presence = await api.request('GET', `/api/v1/users/${z.user.id}/presence`, { token: w.token });
      assert.equal(presence.body.status, 'offline');
      const moved = await api.request('GET', `/api/v1/users/${s1.user.id}/presence`, { token: w.token });
      assert.equal(moved.body.status, 'online', 's1 is online again through another node');
    });
  });
});
