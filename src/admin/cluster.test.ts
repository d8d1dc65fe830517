/**
 * The admin side in scale-out: two nodes on PostgreSQL and Redis. The first
 * user becomes admin by the PostgreSQL trigger, each node publishes its
 * samples through Redis so either one lists both with their connections, and
 * the outbox scan and admin flag work on PostgreSQL. PostgreSQL or Redis
 * unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { AdminOverview } from '../protocol/admin.js';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { assertError } from '../testing/assertions.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { dropPrefix, REDIS_URL, redisUnreachable, requireServices, testPrefix } from '../testing/services.js';
import { WsClient } from '../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('admin dashboard on two nodes', reasons, () => {
  let a: TestServer;
  let b: TestServer;
  let schema: string;
  const prefix = testPrefix();
  const open: WsClient[] = [];
  const env = (nodeId: string) => ({
    DATABASE_URL,
    CHAT_DATABASE_SCHEMA: schema,
    CHAT_DATABASE_POOL_SIZE: '3',
    REDIS_URL,
    CHAT_REDIS_PREFIX: prefix,
    CHAT_NODE_ID: nodeId,
    CHAT_ADMIN_STATS_INTERVAL_MS: '200',
    CHAT_OUTBOX_SCAN_SECONDS: '1',
  });

  before(async () => {
    schema = await createSchema(DATABASE_URL);
    a = await startTestServer(env('node-a'));
    b = await startTestServer(env('node-b'));
  });
  after(async () => {
    await Promise.all(open.map((client) => client.close()));
    await Promise.all([a?.close(), b?.close()]);
    await dropSchema(DATABASE_URL, schema);
    await dropPrefix(prefix);
  });

  it('lists both nodes with their connections, and the outboxes, to the first user only', async () => {
    const admin = await a.api.user('root');
    const other = await b.api.user('other');
    const offline = await b.api.user('offline');
    assert.deepEqual(await a.node.storage.admin.listAdmins(), [admin.user.username]);
    assertError(await b.api.request('GET', '/api/v1/admin/overview', { token: other.token }), 403, 'forbidden');

    for (let i = 0; i < 3; i++) open.push(await WsClient.ready(b.url, other.token, { deviceId: `d${i}` }));
    const conversationId = await a.api.direct(admin, offline);
    for (let i = 0; i < 2; i++) await a.api.send(admin, conversationId, `hi ${i}`);

    const deadline = Date.now() + 10_000;
    let overview: AdminOverview | undefined;
    for (;;) {
      overview = (await a.api.request<AdminOverview>('GET', '/api/v1/admin/overview', { token: admin.token })).body;
      const nodeB = overview.nodes.find((node) => node.id === 'node-b');
      const ready = nodeB?.sample?.connections === 3 && overview.outboxes.some((o) => o.userId === offline.user.id);
      if (ready || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual(
      overview.nodes.map((node) => [node.id, node.health]),
      [
        ['node-a', 'ok'],
        ['node-b', 'ok'],
      ],
    );
    assert.equal(overview.nodes.find((node) => node.id === 'node-b')?.sample?.connections, 3);
    assert.equal(overview.nodes.find((node) => node.id === 'node-a')?.address, a.url);
    assert.ok(overview.sample.connections >= 3, 'the deployment sums its nodes');
    assert.equal(overview.outboxes.find((o) => o.userId === offline.user.id)?.undelivered, 2);

    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    assert.match(metrics, /^chat_db_pool_connections\{state="total"\} \d+$/m);
    assert.match(metrics, /^chat_redis_latency_seconds_count [1-9]\d*$/m);
  });

  it('sets the flag on PostgreSQL', async () => {
    const user = await a.api.user('later');
    assert.equal(await b.node.storage.admin.setAdmin(user.user.username, true), true);
    assert.equal((await a.api.request('GET', '/api/v1/admin/overview', { token: user.token })).status, 200);
    assert.equal(await b.node.storage.admin.setAdmin(user.user.username, false), true);
    assert.equal(await b.node.storage.admin.isAdmin(user.user.id), false);
    assert.equal(await b.node.storage.admin.setAdmin('no-such-user', true), false);
  });
});
