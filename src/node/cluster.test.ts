/**
 * Two nodes (A and B, in this process) sharing PostgreSQL (a schema of this
 * run) and Redis (a key prefix of this run): any node serves any user, a
 * user's devices may sit on both, members spread over both receive in seq
 * order, presence and typing cross nodes, a node that dies takes its users
 * offline within the heartbeat window, and messages published while the
 * subscriber connections were down still arrive (resync from the store).
 * PostgreSQL or Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/server.js';
import {
  dropPrefix,
  killClients,
  REDIS_URL,
  redisUnreachable,
  requireServices,
  testPrefix,
} from '../testing/services.js';
import { WsClient } from '../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('two-node cluster', reasons, () => {
  let a: TestServer;
  let b: TestServer;
  let schema: string;
  const prefix = testPrefix();
  const open: WsClient[] = [];
  const env = (nodeId: string) => ({
    DATABASE_URL,
    CHAT_DATABASE_SCHEMA: schema,
    CHAT_DATABASE_POOL_SIZE: '4',
    REDIS_URL,
    CHAT_REDIS_PREFIX: prefix,
    CHAT_NODE_ID: nodeId,
    CHAT_HEARTBEAT_TIMEOUT_SECONDS: '2',
  });

  before(async () => {
    schema = await createSchema(DATABASE_URL);
    a = await startTestServer(env('a'));
    b = await startTestServer(env('b'));
  });
  after(async () => {
    await Promise.all(open.map((client) => client.close()));
    await Promise.all([a?.close(), b?.close()]);
    await dropSchema(DATABASE_URL, schema);
    await dropPrefix(prefix);
  });

  /** Connects and waits for the replay; pings (the heartbeat timeout is 2 s) until closed. */
  async function connect(on: TestServer, user: TestUser, deviceId?: string): Promise<WsClient> {
    const client = await WsClient.ready(on.url, user.token, deviceId ? { deviceId } : {});
    client.keepAlive(400);
    open.push(client);
    return client;
  }

  const users = (prefixName: string, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => a.api.user(`${prefixName}${i}`)));

  function assertDense(seqs: number[], lastSeq: number, what: string): void {
    const first = seqs[0] ?? 0;
    const expected = Array.from({ length: lastSeq - first + 1 }, (_, i) => first + i);
    assert.deepEqual(seqs, expected, `${what}: dense increasing seqs up to ${lastSeq}`);
  }

  describe('two nodes', () => {
    it('both nodes are in the node registry', async () => {
      const nodes = await a.node.nodes?.list();
      assert.deepEqual(
        nodes?.map((n) => [n.id, n.address]),
        [
          ['a', a.url],
          ['b', b.url],
        ],
      );
      const ready = await b.api.request('GET', '/readyz');
      assert.equal(ready.status, 200);
    });

    it('a user on A and a user on B chat, receipts included', async () => {
      const [alice, bob] = (await users('cl_chat', 2)) as [TestUser, TestUser];
      const direct = await a.api.direct(alice, bob);
      const [onA, onB] = [await connect(a, alice), await connect(b, bob)];
      const sent = await onA.sendMessage(direct, 'hello from A');
      const received = await onB.next('message:new', (f) => f.message.id === sent.message.id);
      assert.equal(received.message.content, 'hello from A');
      onB.send({ type: 'message:received', conversationId: direct, seq: received.message.seq });
      await onA.next('message:delivered', (f) => f.userId === bob.user.id && f.seq === received.message.seq);
      const reply = await onB.sendMessage(direct, 'hello from B');
      await onA.next('message:new', (f) => f.message.id === reply.message.id);
    });

    it("a user's devices on both nodes each receive everything, their own sends included", async () => {
      const [alice, bob] = (await users('cl_dev', 2)) as [TestUser, TestUser];
      const direct = await b.api.direct(alice, bob);
      const phone = await connect(a, alice, 'phone');
      const laptop = await connect(b, alice, 'laptop');
      const bobs = await connect(a, bob);
      await bobs.sendMessage(direct, 'one');
      const own = await phone.sendMessage(direct, 'two');
      for (const device of [phone, laptop]) await device.waitForMessages(direct, 2);
      await laptop.next('message:new', (f) => f.message.id === own.message.id);
      assertDense(laptop.seqs(direct), own.message.seq, 'laptop');
    });

    it('members on both nodes see dense increasing seqs while senders on both nodes send at once', async () => {
      const members = (await users('cl_grp', 4)) as [TestUser, TestUser, TestUser, TestUser];
      const group = await a.api.group(members[0], members.slice(1));
      const clients = [
        await connect(a, members[0]),
        await connect(b, members[1]),
        await connect(a, members[2]),
        await connect(b, members[3]),
        await connect(b, members[0], 'second-device'),
      ];
      const perSender = 15;
      const acks = await Promise.all(
        clients.slice(0, 4).map(async (client, i) => {
          const seqs: number[] = [];
          for (let n = 0; n < perSender; n++) seqs.push((await client.sendMessage(group, `m${i}-${n}`)).message.seq);
          return seqs;
        }),
      );
      const lastSeq = Math.max(...acks.flat());
      assert.equal(new Set(acks.flat()).size, 4 * perSender, 'every send got its own seq');
      for (const [i, client] of clients.entries()) {
        await client.until(
          (frames) =>
            frames.some(
              (f) => f.type === 'message:new' && f.message.conversationId === group && f.message.seq === lastSeq,
            ),
          15_000,
          `connection ${i} sees seq ${lastSeq}`,
        );
        assertDense(client.seqs(group), lastSeq, `connection ${i}`);
        assert.ok((client.seqs(group)[0] ?? 99) <= 1, `connection ${i} replayed from the start`);
      }
    });

    it('replays what a user missed while offline, on the other node', async () => {
      const [sender, reader] = (await users('cl_off', 2)) as [TestUser, TestUser];
      const direct = await a.api.direct(sender, reader);
      const onA = await connect(a, sender);
      const sent = [];
      for (let n = 0; n < 3; n++) sent.push(await onA.sendMessage(direct, `while away ${n}`));
      const onB = await connect(b, reader);
      assert.deepEqual(
        onB.messages(direct).map((m) => m.id),
        sent.map((s) => s.message.id),
        'replayed before sync:done',
      );
    });

    it('presence and typing cross nodes', async () => {
      const [erin, frank] = (await users('cl_pres', 2)) as [TestUser, TestUser];
      const direct = await a.api.direct(erin, frank);
      const onB = await connect(b, frank);
      const onA = await connect(a, erin);
      await onB.next('presence:update', (f) => f.userId === erin.user.id && f.status === 'online');
      onA.send({ type: 'typing:start', conversationId: direct });
      await onB.next('typing:start', (f) => f.userId === erin.user.id && f.conversationId === direct);
      onA.send({ type: 'typing:stop', conversationId: direct });
      await onB.next('typing:stop', (f) => f.userId === erin.user.id);
      const rest = await b.api.request('GET', `/api/v1/users/${erin.user.id}/presence`, { token: frank.token });
      assert.equal(rest.body.status, 'online');
      await onA.close();
      await onB.next('presence:update', (f) => f.userId === erin.user.id && f.status === 'offline');
    });

    it('messages published while the subscriber connections were down still arrive', async () => {
      const [gina, hank] = (await users('cl_gap', 2)) as [TestUser, TestUser];
      const direct = await a.api.direct(gina, hank);
      const onB = await connect(b, hank);
      const resyncsBefore = await resyncs(b);
      // Only this run's nodes (other suites share the Redis server); killed again as soon as they
      // are back, for 700 ms, while gina sends: live deliveries are lost, the store is not.
      assert.equal(await killClients(`${prefix}b:subscriber`), 1);
      const flapping = (async () => {
        for (const end = Date.now() + 700; Date.now() < end; ) {
          await killClients(`${prefix}a:subscriber`);
          await killClients(`${prefix}b:subscriber`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const sent = [];
      for (let n = 0; n < 5; n++) {
        sent.push((await a.api.send(gina, direct, `during the outage ${n}`)).body.message);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await flapping;
      await onB.waitForMessages(direct, 5);
      assert.deepEqual(
        onB.messages(direct).map((m) => m.id),
        sent.map((m) => m.id),
      );
      assert.ok((await resyncs(b)) > resyncsBefore, 'B resynced from the store');
      const after = await a.api.send(gina, direct, 'after the outage');
      await onB.next('message:new', (f) => f.message.id === after.body.message.id);
    });

    it('a node that dies takes its users offline on the other node within the heartbeat window', async () => {
      const c = await startTestServer(env('c'));
      try {
        const [ivan, judy] = (await users('cl_kill', 2)) as [TestUser, TestUser];
        await a.api.direct(ivan, judy);
        const onA = await connect(a, judy);
        await connect(c, ivan);
        await onA.next('presence:update', (f) => f.userId === ivan.user.id && f.status === 'online');
        const killedAt = Date.now();
        await c.node.kill();
        await onA.next('presence:update', (f) => f.userId === ivan.user.id && f.status === 'offline', 6_000);
        const elapsed = Date.now() - killedAt;
        assert.ok(elapsed <= 2_000 + 1_500, `offline ${elapsed} ms after the kill`);
        const rest = await a.api.request('GET', `/api/v1/users/${ivan.user.id}/presence`, { token: judy.token });
        assert.equal(rest.body.status, 'offline');
        assert.deepEqual((await a.node.nodes?.list())?.map((n) => n.id).includes('c'), true, 'c expires later');
      } finally {
        await c.close();
      }
    });
  });

  async function resyncs(server: TestServer): Promise<number> {
    const metrics = await server.node.metrics.registry.getSingleMetricAsString('chat_bus_resyncs_total');
    return Number(/chat_bus_resyncs_total (\d+)/.exec(metrics)?.[1] ?? 0);
  }
});
