/**
 * Push end to end on an embedded node: real HTTP, WebSockets and SQLite, and a
 * local Web Push service (HTTPS, trusted through CHAT_PUSH_CA_FILE) standing
 * in for the browsers' push services; notifications are decrypted as a
 * browser would.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, type TestUser, tempDir } from '../testing/server.js';
import { WsClient, waitFor } from '../testing/ws.js';
import { LocalPushService, sleep } from './testing/push-service.js';

// Equal, as by default: the messages of a burst that are younger than the grace ride along.
const GRACE_MS = 700;
const COALESCE_MS = 700;
/** Long enough for any notification that would be sent to have been sent. */
const QUIET_MS = COALESCE_MS + GRACE_MS * 2;

describe('push notifications (embedded)', () => {
  let dir: string;
  let service: LocalPushService;
  let server: TestServer;

  before(async () => {
    dir = await tempDir('chat-push-');
    service = await LocalPushService.start(dir);
    server = await startTestServer({
      CHAT_PUSH_GRACE_MS: String(GRACE_MS),
      CHAT_PUSH_COALESCE_MS: String(COALESCE_MS),
      CHAT_PUSH_RETRY_BASE_MS: '100',
      CHAT_PUSH_POLL_MS: '200',
      CHAT_PUSH_CA_FILE: service.caFile,
      CHAT_WEB_PUSH_HOSTS: '127.0.0.1',
    });
  });
  after(async () => {
    await server.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pair = async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    return { alice, bob, conversationId: await server.api.direct(alice, bob) };
  };
  const sendAll = async (sender: TestUser, conversationId: string, texts: string[]) => {
    const ids: string[] = [];
    for (const text of texts) ids.push((await server.api.send(sender, conversationId, text)).body.message.id);
    return ids;
  };
  const receivedOne = (user: TestUser) =>
    waitFor('a notification', () => (service.received(user).length > 0 ? service.received(user) : undefined), 5000);
  const metric = async (line: RegExp) => {
    const text = (await server.api.request('GET', '/metrics')).body as string;
    const match = text.split('\n').find((l) => line.test(l));
    return match ? Number(match.split(' ').at(-1)) : 0;
  };

  it('sends an offline recipient one coalesced notification for a burst, with the badge, never to the sender', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    await service.subscribe(server.api, alice);
    const coalescedBefore = await metric(/^chat_push_coalesced_total /);
    const ids = await sendAll(alice, conversationId, ['one', 'two', 'three']);
    const [notification] = await receivedOne(bob);
    await sleep(QUIET_MS);
    assert.equal(service.received(bob).length, 1, 'one notification for the burst');
    assert.deepEqual(notification, {
      title: 'alice',
      body: 'alice: 3 new messages',
      conversationId,
      messageId: ids[2],
      count: 3,
      badge: 3,
      sound: 'default',
    });
    assert.equal(service.received(alice).length, 0, 'the sender is never notified');
    assert.equal((await metric(/^chat_push_coalesced_total /)) - coalescedBefore, 2);
    assert.ok((await metric(/^chat_push_sent_total\{platform="web"\}/)) >= 1);
    assert.ok((await metric(/^chat_push_latency_seconds_count\{platform="web"\}/)) >= 1);
  });

  it('previews a single message, and the badge counts unread messages over every conversation', async () => {
    const { alice, bob, conversationId } = await pair();
    const carol = await server.api.user('carol');
    const other = await server.api.direct(carol, bob);
    await service.subscribe(server.api, bob);
    await sendAll(carol, other, ['earlier']);
    await receivedOne(bob);
    await sendAll(alice, conversationId, ['see you at 5']);
    const second = await waitFor('a second notification', () => service.received(bob)[1], 5000);
    assert.equal(second.title, 'alice');
    assert.equal(second.body, 'see you at 5');
    assert.equal(second.count, 1);
    assert.equal(second.badge, 2, "carol's unread message and alice's");
  });

  it('sends nothing to a recipient whose connected device acknowledges in time', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    const ws = await WsClient.ready(server.url, bob.token);
    ws.socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'message:new') {
        ws.send({ type: 'message:received', conversationId: frame.message.conversationId, seq: frame.message.seq });
      }
    });
    await sendAll(alice, conversationId, ['a', 'b']);
    await ws.waitForMessages(conversationId, 2);
    await sleep(QUIET_MS);
    assert.equal(service.requestsFor(bob).length, 0);
    await ws.close();
  });

  it('notifies a connected device that does not acknowledge', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    const ws = await WsClient.ready(server.url, bob.token);
    await sendAll(alice, conversationId, ['are you there?']);
    await ws.waitForMessages(conversationId, 1);
    const [notification] = await receivedOne(bob);
    assert.equal(notification?.body, 'are you there?');
    await ws.close();
  });

  it('reads the store when the grace ends: a message deleted meanwhile is not notified', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    const [id] = await sendAll(alice, conversationId, ['oops, wrong chat']);
    assert.equal((await server.api.request('DELETE', `/api/v1/messages/${id}`, { token: alice.token })).status, 200);
    await sleep(QUIET_MS);
    assert.equal(service.requestsFor(bob).length, 0);
  });

  it('sends nothing for a muted conversation until it is unmuted', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    const muted = await server.api.request('PUT', `/api/v1/conversations/${conversationId}/mute`, {
      token: bob.token,
      body: {},
    });
    assert.deepEqual(muted.body, { mute: { conversationId, until: null } });
    await sendAll(alice, conversationId, ['psst']);
    await sleep(QUIET_MS);
    assert.equal(service.requestsFor(bob).length, 0, 'muted');
    const unmuted = await server.api.request('DELETE', `/api/v1/conversations/${conversationId}/mute`, {
      token: bob.token,
    });
    assert.equal(unmuted.status, 204);
    await sendAll(alice, conversationId, ['now?']);
    const [notification] = await receivedOne(bob);
    assert.equal(notification?.body, 'now?', 'only the message after unmuting');
  });

  it('honours a mute that has run out, and do-not-disturb', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    const past = new Date(Date.now() - 60_000).toISOString();
    await server.api.request('PUT', `/api/v1/conversations/${conversationId}/mute`, {
      token: bob.token,
      body: { until: past },
    });
    const dnd = await server.api.request('PATCH', '/api/v1/users/me/notifications', {
      token: bob.token,
      body: { doNotDisturb: true },
    });
    assert.deepEqual(dnd.body.settings, { doNotDisturb: true, doNotDisturbUntil: null, hidePreviews: false });
    await sendAll(alice, conversationId, ['quiet please']);
    await sleep(QUIET_MS);
    assert.equal(service.requestsFor(bob).length, 0, 'do-not-disturb');
    await server.api.request('PATCH', '/api/v1/users/me/notifications', {
      token: bob.token,
      body: { doNotDisturb: false },
    });
    await sendAll(alice, conversationId, ['hello again']);
    const [notification] = await receivedOne(bob);
    assert.equal(notification?.body, 'hello again', 'the expired mute no longer holds');
  });

  it('sends nothing for a blocked sender in a group; others still notify, named by the group', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const carol = await server.api.user('carol');
    const group = await server.api.group(alice, [bob, carol], 'Climbing');
    await service.subscribe(server.api, bob);
    await server.api.request('PUT', `/api/v1/users/me/blocks/${carol.user.id}`, { token: bob.token });
    await sendAll(carol, group, ['from carol']);
    await sleep(QUIET_MS);
    assert.equal(service.requestsFor(bob).length, 0, 'blocked sender');
    await sendAll(alice, group, ['from alice']);
    const [notification] = await receivedOne(bob);
    assert.equal(notification?.title, 'Climbing');
    assert.equal(notification?.body, 'alice: from alice');
  });

  it('hides previews when asked', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    await server.api.request('PATCH', '/api/v1/users/me/notifications', {
      token: bob.token,
      body: { hidePreviews: true },
    });
    await sendAll(alice, conversationId, ['secret plans']);
    const [notification] = await receivedOne(bob);
    assert.equal(notification?.title, 'New messages');
    assert.equal(notification?.body, 'New message');
    assert.ok(!JSON.stringify(notification).includes('secret'));
  });

  it('deletes a device whose subscription the push service says is gone', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    service.script.set(service.endpointPath(bob), [{ status: 410 }]);
    const before = await metric(/^chat_push_failed_total\{platform="web",reason="invalid_token"\}/);
    await sendAll(alice, conversationId, ['hello?']);
    await waitFor('the device to be removed', async () => {
      const res = await server.api.request('GET', '/api/v1/devices', { token: bob.token });
      return res.body.devices.length === 0 ? true : undefined;
    });
    assert.equal(service.requestsFor(bob).length, 1);
    assert.equal((await metric(/^chat_push_failed_total\{platform="web",reason="invalid_token"\}/)) - before, 1);
  });

  it('backs off when rate limited, for as long as the service asks, then delivers', async () => {
    const { alice, bob, conversationId } = await pair();
    await service.subscribe(server.api, bob);
    service.script.set(service.endpointPath(bob), [{ status: 429, headers: { 'retry-after': '1' } }]);
    await sendAll(alice, conversationId, ['eventually']);
    await waitFor('a retried delivery', () => (service.requestsFor(bob).length >= 2 ? true : undefined), 6000);
    const [first, second] = service.requestsFor(bob);
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 950, `retried after ${second.at - first.at} ms, asked 1 s`);
    assert.equal(service.received(bob)[1]?.body, 'eventually');
  });
});
