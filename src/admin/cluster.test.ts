/**
 * The admin side in scale-out: two nodes on PostgreSQL and Redis. The first
 * user becomes admin by the PostgreSQL trigger, each node publishes its
 * samples through Redis so either one lists both with their connections, and
 * the outbox scan and admin flag work on PostgreSQL. PostgreSQL or Redis
 * unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AdminOverview } from '../protocol/admin.js';
import { DATABASE_URL, unreachableReason } from '../store/postgres/test-support.js';
import { assertError } from '../testing/assertions.js';
import type { TestServer } from '../testing/server.js';
import { redisUnreachable, requireServices } from '../testing/services.js';
import { useTwoNodes } from '../testing/two-nodes.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('admin dashboard on two nodes', reasons, () => {
  const nodes = useTwoNodes({
    nodeIds: ['node-a', 'node-b'],
    env: { CHAT_DATABASE_POOL_SIZE: '3', CHAT_ADMIN_STATS_INTERVAL_MS: '200', CHAT_OUTBOX_SCAN_SECONDS: '1' },
  });
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    ({ a, b } = await nodes.started());
  });

  it('lists both nodes with their connections, and the outboxes, to the first user only', async () => {
    const admin = await a.api.user('root');
    const other = await b.api.user('other');
    const offline = await b.api.user('offline');
    assert.deepEqual(await a.node.storage.admin.listAdmins(), [admin.user.username]);
    assertError(await b.api.request('GET', '/api/v1/admin/overview', { token: other.token }), 403, 'forbidden');

    for (let i = 0; i < 3; i++) await nodes.connect(b, other, `d${i}`);
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
