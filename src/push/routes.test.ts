/** The push routes' input checks, authorization and error bodies. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../testing/assertions.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { browserKeys } from './testing/web-push-crypto.js';

describe('push routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CHAT_WEB_PUSH_HOSTS: 'push.example.com, fcm.googleapis.com' });
  });
  after(() => server.close());

  const subscription = () => browserKeys().subscription(`https://push.example.com/send/${Math.random()}`);

  it('needs a token everywhere', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/devices'],
      ['GET', '/api/v1/devices'],
      ['DELETE', '/api/v1/devices/x'],
      ['GET', '/api/v1/push/config'],
      ['PUT', '/api/v1/conversations/x/mute'],
      ['DELETE', '/api/v1/conversations/x/mute'],
      ['GET', '/api/v1/users/me/notifications'],
      ['PATCH', '/api/v1/users/me/notifications'],
    ] as const) {
      const options = method === 'GET' || method === 'DELETE' ? {} : { body: {} };
      assertError(await server.api.request(method, path, options), 401, 'unauthorized', `${method} ${path}`);
    }
  });

  it('registers a web subscription and a phone token, lists and deletes them', async () => {
    const alice = await server.api.user('alice');
    const web = await server.api.request('POST', '/api/v1/devices', {
      token: alice.token,
      body: { platform: 'web', subscription: subscription() },
    });
    assert.equal(web.status, 201);
    assert.deepEqual(Object.keys(web.body.device).sort(), ['createdAt', 'id', 'platform']);
    const phone = await server.api.request('POST', '/api/v1/devices', {
      token: alice.token,
      body: { platform: 'ios', token: 'ab'.repeat(32) },
    });
    assert.equal(phone.status, 201);
    const again = await server.api.request('POST', '/api/v1/devices', {
      token: alice.token,
      body: { platform: 'ios', token: 'ab'.repeat(32) },
    });
    assert.equal(again.body.device.id, phone.body.device.id, 'the same token is one device');
    const listed = await server.api.request('GET', '/api/v1/devices', { token: alice.token });
    assert.deepEqual(
      listed.body.devices.map((d: { id: string }) => d.id),
      [web.body.device.id, phone.body.device.id],
    );
    const deleted = await server.api.request('DELETE', `/api/v1/devices/${phone.body.device.id}`, {
      token: alice.token,
    });
    assert.equal(deleted.status, 204);
    assertError(
      await server.api.request('DELETE', `/api/v1/devices/${phone.body.device.id}`, { token: alice.token }),
      404,
      'not_found',
    );
  });

  it("does not let a user delete another user's device", async () => {
    const alice = await server.api.user('alice');
    const mallory = await server.api.user('mallory');
    const res = await server.api.request('POST', '/api/v1/devices', {
      token: alice.token,
      body: { platform: 'android', token: 'fcm-token-1' },
    });
    assertError(
      await server.api.request('DELETE', `/api/v1/devices/${res.body.device.id}`, { token: mallory.token }),
      404,
      'not_found',
    );
    const listed = await server.api.request('GET', '/api/v1/devices', { token: alice.token });
    assert.equal(listed.body.devices.length, 1);
  });

  it('refuses malformed devices with invalid_request', async () => {
    const alice = await server.api.user('alice');
    const good = subscription();
    const bad: unknown[] = [
      {},
      { platform: 'blackberry', token: 'x' },
      { platform: 'ios' },
      { platform: 'ios', token: 'has spaces' },
      { platform: 'ios', token: 'a'.repeat(5000) },
      { platform: 'web' },
      { platform: 'web', subscription: { ...good, endpoint: 'http://insecure.example/x' } },
      { platform: 'web', subscription: { ...good, keys: { ...good.keys, p256dh: 'short' } } },
      { platform: 'web', subscription: { ...good, keys: { ...good.keys, auth: 'A'.repeat(40) } } },
      { platform: 'web', subscription: good, token: 'both' },
      // Only push services: the server POSTs to the endpoint.
      { platform: 'web', subscription: { ...good, endpoint: 'https://10.0.0.5/admin' } },
      { platform: 'web', subscription: { ...good, endpoint: 'https://push.example.com.attacker.net/x' } },
      { platform: 'web', subscription: { ...good, endpoint: 'https://notpush.example.com/x' } },
    ];
    for (const body of bad) {
      assertError(
        await server.api.request('POST', '/api/v1/devices', { token: alice.token, body }),
        400,
        'invalid_request',
        JSON.stringify(body).slice(0, 80),
      );
    }
  });

  it('accepts subdomains of the allowed push hosts', async () => {
    const alice = await server.api.user('alice');
    const res = await server.api.request('POST', '/api/v1/devices', {
      token: alice.token,
      body: { platform: 'web', subscription: browserKeys().subscription('https://eu.push.example.com/send/1') },
    });
    assert.equal(res.status, 201);
  });

  it('gives the VAPID public key to subscribe with', async () => {
    const alice = await server.api.user('alice');
    const res = await server.api.request('GET', '/api/v1/push/config', { token: alice.token });
    assert.equal(res.status, 200);
    assert.match(res.body.webPushPublicKey, /^[A-Za-z0-9_-]{87}$/);
    assert.deepEqual(res.body.platforms, ['web']);
  });

  it('mutes only conversations the caller is a member of, and validates until', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const eve = await server.api.user('eve');
    const conversationId = await server.api.direct(alice, bob);
    const path = `/api/v1/conversations/${conversationId}/mute`;
    assertError(await server.api.request('PUT', path, { token: eve.token, body: {} }), 404, 'not_found');
    assertError(await server.api.request('DELETE', path, { token: eve.token }), 404, 'not_found');
    assertError(
      await server.api.request('PUT', path, { token: alice.token, body: { until: 'tomorrow' } }),
      400,
      'invalid_request',
    );
    assertError(
      await server.api.request('PUT', path, { token: alice.token, body: { forever: true } }),
      400,
      'invalid_request',
    );
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const muted = await server.api.request('PUT', path, { token: alice.token, body: { until } });
    assert.deepEqual(muted.body, { mute: { conversationId, until } });
    assert.deepEqual((await server.api.request('GET', path, { token: alice.token })).body, {
      mute: { conversationId, until },
    });
    assert.deepEqual((await server.api.request('GET', path, { token: bob.token })).body, { mute: null });
  });

  it('reads and patches notification settings, refusing unknown fields', async () => {
    const alice = await server.api.user('alice');
    const path = '/api/v1/users/me/notifications';
    assert.deepEqual((await server.api.request('GET', path, { token: alice.token })).body, {
      settings: { doNotDisturb: false, doNotDisturbUntil: null, hidePreviews: false },
    });
    const until = '2031-01-01T08:00:00.000Z';
    const patched = await server.api.request('PATCH', path, {
      token: alice.token,
      body: { doNotDisturb: true, doNotDisturbUntil: until },
    });
    assert.deepEqual(patched.body.settings, { doNotDisturb: true, doNotDisturbUntil: until, hidePreviews: false });
    assertError(
      await server.api.request('PATCH', path, { token: alice.token, body: { sound: 'loud' } }),
      400,
      'invalid_request',
    );
    assertError(
      await server.api.request('PATCH', path, { token: alice.token, body: { hidePreviews: 'yes' } }),
      400,
      'invalid_request',
    );
  });
});
