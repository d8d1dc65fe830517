/**
 * The operations side on one embedded node: the first user is admin, the admin
 * REST route and WebSocket frames answer 403 / forbidden to everyone else,
 * admin:stats frames follow the traffic, the largest outboxes are listed, and
 * /metrics carries the delivery, ack and presence metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdminOverview } from '../protocol/admin.js';
import { assertError } from '../testing/assertions.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/server.js';
import { WsClient } from '../testing/ws.js';

describe('admin dashboard and metrics', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const open: WsClient[] = [];

  before(async () => {
    server = await startTestServer({ CHAT_ADMIN_STATS_INTERVAL_MS: '200', CHAT_OUTBOX_SCAN_SECONDS: '1' });
    alice = await server.api.user('alice');
    bob = await server.api.user('bob');
    carol = await server.api.user('carol');
  });
  after(async () => {
    await Promise.all(open.map((client) => client.close()));
    await server.close();
  });

  async function connect(user: TestUser): Promise<WsClient> {
    const client = await WsClient.ready(server.url, user.token);
    open.push(client);
    return client;
  }

  it('makes the first registered user, and only that one, an admin', async () => {
    const admins = await server.node.storage.admin.listAdmins();
    assert.deepEqual(admins, [alice.user.username]);
  });

  it('answers the overview to admins and 403 to others', async () => {
    assertError(await server.api.request('GET', '/api/v1/admin/overview', { token: bob.token }), 403, 'forbidden');
    assertError(await server.api.request('GET', '/api/v1/admin/overview'), 401, 'unauthorized');
    const res = await server.api.request<AdminOverview>('GET', '/api/v1/admin/overview', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.intervalMs, 200);
    assert.equal(res.body.nodes.length, 1);
    assert.equal(res.body.nodes[0]?.health, 'ok');
    assert.equal(res.body.nodes[0]?.address, null);
    assert.ok(Array.isArray(res.body.history));
    const capacity = await server.api.request('GET', '/api/v1/admin/capacity', { token: alice.token });
    assert.equal(capacity.status, 200);
    assert.ok(capacity.body.figures.nodeMessagesPerSecond > 0);
    assert.equal(capacity.body.presets.whatsapp.input.dailyActiveUsers, 500_000_000);
    assertError(await server.api.request('GET', '/api/v1/admin/capacity', { token: bob.token }), 403, 'forbidden');
  });

  it('refuses admin:subscribe to non-admins with a forbidden error frame', async () => {
    const client = await connect(bob);
    client.send({ type: 'admin:subscribe', ref: 'sub-1' });
    const error = await client.next('error', (f) => f.ref === 'sub-1');
    assert.equal(error.code, 'forbidden');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(client.all('admin:stats').length, 0);
    client.send({ type: 'admin:subscribe', ref: 7 });
    const invalid = await client.next('error', (f) => f.code === 'invalid_request');
    assert.match(invalid.message, /ref/);
  });

  it('streams admin:stats that follow the traffic, until unsubscribed', async () => {
    const dashboard = await connect(alice);
    const receiver = await connect(bob);
    dashboard.send({ type: 'admin:subscribe', ref: 'dash' });
    const subscribed = await dashboard.next('admin:subscribed');
    assert.equal(subscribed.ref, 'dash');
    assert.equal(subscribed.intervalMs, 200);

    const conversationId = await server.api.direct(alice, bob);
    for (let i = 0; i < 20; i++) {
      receiver.send({ type: 'message:send', conversationId, clientMsgId: `m-${i}`, content: `hello ${i}` });
    }
    await receiver.until((frames) => frames.filter((f) => f.type === 'message:ack').length === 20, 10_000, 'acks');
    await dashboard.until(
      (frames) =>
        frames.some(
          (f) =>
            f.type === 'admin:stats' &&
            (f as { sample: { messagesPerSecond: number } }).sample.messagesPerSecond > 0 &&
            (f as { sample: { deliveryP99Ms: number | null } }).sample.deliveryP99Ms !== null,
        ),
      5000,
      'a sample with messages and delivery latency',
    );
    const stats = dashboard.all('admin:stats').at(-1);
    assert.ok(stats);
    assert.ok(stats.sample.connections >= 2, `connections ${stats.sample.connections}`);
    assert.equal(stats.nodes.length, 1);
    assert.ok(stats.sample.rssBytes > 0);

    dashboard.send({ type: 'admin:unsubscribe' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const count = dashboard.all('admin:stats').length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(dashboard.all('admin:stats').length, count, 'no stats after unsubscribing');
  });

  it('lists the largest outboxes: users whose devices have not acknowledged', async () => {
    // Carol is offline: everything sent to her waits in her outbox.
    const conversationId = await server.api.direct(alice, carol);
    for (let i = 0; i < 3; i++) await server.api.send(alice, conversationId, `for carol ${i}`);
    const deadline = Date.now() + 5000;
    let overview: AdminOverview | undefined;
    while (Date.now() < deadline) {
      overview = (await server.api.request<AdminOverview>('GET', '/api/v1/admin/overview', { token: alice.token }))
        .body;
      // The scan runs now and then: one between the sends would list Carol with fewer than 3.
      if (overview.outboxes.some((entry) => entry.userId === carol.user.id && entry.undelivered === 3)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const entry = overview?.outboxes.find((e) => e.userId === carol.user.id);
    assert.equal(entry?.undelivered, 3);
    assert.equal(entry?.username, carol.user.username);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`chat_outbox_undelivered_messages\\{user="${carol.user.username}"\\} 3`));
  });

  it('exposes delivery, ack, presence, rate-limit and event-loop metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    assert.ok(value('chat_messages_delivered_total\\{path="live"\\}') >= 20);
    assert.ok(value('chat_delivery_latency_seconds_count') >= 20);
    assert.ok(value('chat_ack_latency_seconds_count') >= 20);
    assert.ok(value('chat_messages_stored_total') >= 23);
    assert.ok(value('chat_presence_users\\{status="online"\\}') >= 2);
    assert.ok(value('chat_ws_connections') >= 2);
    assert.ok(value('chat_ws_send_queue_bytes\\{stat="total"\\}') >= 0);
    assert.ok(value('chat_event_loop_lag_seconds\\{quantile="0.99"\\}') >= 0);
    assert.ok(value('chat_process_resident_memory_bytes') > 0);
    assert.ok(value('chat_nodejs_heap_size_used_bytes') > 0);
    assert.match(text, /chat_rate_limit_rejections_total/);
  });

  it('counts rate-limit rejections of logins', async () => {
    const limited = await startTestServer({ CHAT_LOGIN_LIMIT_PER_USERNAME: '1' });
    try {
      const user = await limited.api.user('dave');
      for (let i = 0; i < 3; i++) {
        await limited.api.request('POST', '/api/v1/auth/login', {
          body: { username: user.user.username, password: 'wrong password here' },
        });
      }
      const text = await (await fetch(`${limited.url}/metrics`)).text();
      const refused = Number(/^chat_rate_limit_rejections_total\{limit="login_username"\} (\S+)$/m.exec(text)?.[1]);
      assert.ok(refused >= 1, `refusals ${refused}`);
    } finally {
      await limited.close();
    }
  });

  it('grants and revokes the flag through the store', async () => {
    assert.equal(await server.node.storage.admin.setAdmin(bob.user.username, true), true);
    const granted = await server.api.request('GET', '/api/v1/admin/overview', { token: bob.token });
    assert.equal(granted.status, 200);
    assert.equal(await server.node.storage.admin.setAdmin(bob.user.username, false), true);
    assertError(await server.api.request('GET', '/api/v1/admin/overview', { token: bob.token }), 403, 'forbidden');
    assert.equal(await server.node.storage.admin.setAdmin('nobody-here', true), false);
  });
});
