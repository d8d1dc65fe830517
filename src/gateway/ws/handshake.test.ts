/**
 * The WebSocket handshake (../shared/CONTRACT.md, "WebSocket"; docs/PROTOCOL.md,
 * "Connecting"): the token is checked before the upgrade (query or
 * Authorization header; missing, bad or expired → HTTP 401), the origin
 * allow-list (403), the per-user connection cap (429), and the session's first
 * frames: hello, then sync:done.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { HandshakeRefused, WsClient, waitFor } from '../../testing/ws.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';
const ALLOWED = ['https://chat.example', 'https://app.example'];

let server: TestServer;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer({
    CHAT_MAX_CONNECTIONS_PER_USER: '2',
    CHAT_ALLOWED_ORIGINS: ALLOWED.join(','),
  });
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.close();
});

function track(client: WsClient): WsClient {
  open.push(client);
  return client;
}

/** The HTTP status the handshake was refused with; fails if it was accepted. */
async function refusal(connecting: Promise<WsClient>): Promise<number> {
  try {
    const client = track(await connecting);
    assert.fail(`the handshake was accepted (first frame ${JSON.stringify(client.frames[0] ?? null)})`);
  } catch (error) {
    if (!(error instanceof HandshakeRefused)) throw error;
    return error.status;
  }
}

async function token(claims: { sub: string; exp: number; iss?: string; aud?: string }, secret = SECRET) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(claims.iss ?? 'chat-server')
    .setAudience(claims.aud ?? 'chat-client')
    .setIssuedAt(claims.exp - 3600)
    .setExpirationTime(claims.exp)
    .sign(new TextEncoder().encode(secret));
}

function connectionsOf(user: TestUser): number {
  return server.node.gateway.registry.countForUser(user.user.id);
}

describe('handshake: authentication', () => {
  it('refuses a missing token with HTTP 401 and no upgrade', async () => {
    assert.equal(await refusal(WsClient.open(WsClient.url(server.url))), 401);
  });

  it('refuses a malformed token with 401', async () => {
    assert.equal(await refusal(WsClient.connect(server.url, 'not-a-jwt')), 401);
    assert.equal(
      await refusal(WsClient.open(WsClient.url(server.url), { authorization: 'Bearer garbage.garbage.garbage' })),
      401,
    );
  });

  it('refuses a token signed with another secret with 401', async () => {
    const u = await server.api.user('ws_foreign');
    const forged = await token(
      { sub: u.user.id, exp: Math.floor(Date.now() / 1000) + 3600 },
      'another-secret-another-secret-another-0123',
    );
    assert.equal(await refusal(WsClient.connect(server.url, forged)), 401);
  });

  it('refuses an expired token with 401', async () => {
    const u = await server.api.user('ws_expired');
    const expired = await token({ sub: u.user.id, exp: Math.floor(Date.now() / 1000) - 60 });
    assert.equal(await refusal(WsClient.connect(server.url, expired)), 401);
    assert.equal(await refusal(WsClient.open(WsClient.url(server.url), { authorization: `Bearer ${expired}` })), 401);
    // The same claims, still valid, are accepted: only the expiry made the difference.
    const valid = await token({ sub: u.user.id, exp: Math.floor(Date.now() / 1000) + 600 });
    const client = track(await WsClient.connect(server.url, valid));
    assert.equal((await client.next('hello')).userId, u.user.id);
    await client.close();
  });

  it('a refused handshake leaves no session behind', async () => {
    const u = await server.api.user('ws_nosession');
    const expired = await token({ sub: u.user.id, exp: Math.floor(Date.now() / 1000) - 60 });
    await refusal(WsClient.connect(server.url, expired));
    assert.equal(connectionsOf(u), 0);
  });

  it('accepts the token as ?token=', async () => {
    const u = await server.api.user('ws_query');
    const client = track(await WsClient.open(WsClient.url(server.url, { token: u.token })));
    const hello = await client.next('hello');
    assert.equal(hello.userId, u.user.id);
    await client.next('sync:done');
    await client.close();
  });

  it('accepts the token in an Authorization: Bearer header', async () => {
    const u = await server.api.user('ws_header');
    const client = track(await WsClient.open(WsClient.url(server.url), { authorization: `Bearer ${u.token}` }));
    const hello = await client.next('hello');
    assert.equal(hello.userId, u.user.id);
    await client.next('sync:done');
    await client.ping();
    await client.close();
  });
});

describe('handshake: origin', () => {
  it('refuses an Origin not in CHAT_ALLOWED_ORIGINS with 403', async () => {
    const u = await server.api.user('ws_origin_bad');
    for (const origin of ['https://evil.example', 'http://chat.example', 'https://chat.example.evil.example']) {
      const status = await refusal(WsClient.connect(server.url, u.token, { headers: { origin } }));
      assert.equal(status, 403, `origin ${origin}`);
    }
    assert.equal(connectionsOf(u), 0);
  });

  it('refuses a foreign origin even with a valid token in the header', async () => {
    const u = await server.api.user('ws_origin_hdr');
    const status = await refusal(
      WsClient.open(WsClient.url(server.url), { authorization: `Bearer ${u.token}`, origin: 'https://evil.example' }),
    );
    assert.equal(status, 403);
  });

  it('accepts every allowed origin', async () => {
    const u = await server.api.user('ws_origin_ok');
    for (const origin of ALLOWED) {
      const client = track(await WsClient.connect(server.url, u.token, { headers: { origin } }));
      assert.equal((await client.next('hello')).userId, u.user.id, `origin ${origin}`);
      await client.close();
    }
  });

  it('accepts a client that sends no Origin header (not a browser)', async () => {
    const u = await server.api.user('ws_origin_none');
    const client = track(await WsClient.connect(server.url, u.token));
    assert.equal((await client.next('hello')).userId, u.user.id);
    await client.close();
  });
});

describe('handshake: per-user connection cap (CHAT_MAX_CONNECTIONS_PER_USER=2)', () => {
  it('refuses a third connection of the same user with 429', async () => {
    const u = await server.api.user('ws_cap');
    const first = track(await WsClient.ready(server.url, u.token, { deviceId: 'one' }));
    const second = track(await WsClient.ready(server.url, u.token, { deviceId: 'two' }));
    assert.equal(await refusal(WsClient.connect(server.url, u.token, { deviceId: 'three' })), 429);
    // The two open ones are unaffected.
    await first.ping();
    await second.ping();
    assert.equal(connectionsOf(u), 2);
    await first.close();
    await second.close();
  });

  it('holds under concurrent handshakes: of 5 at once, 2 are accepted and 3 refused', async () => {
    const u = await server.api.user('ws_cap_race');
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => WsClient.connect(server.url, u.token, { deviceId: `race-${i}` })),
    );
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [track(a.value)] : []));
    const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason] : []));
    for (const reason of refused) {
      assert.ok(reason instanceof HandshakeRefused, String(reason));
      assert.equal(reason.status, 429);
    }
    assert.equal(accepted.length, 2, `${accepted.length} connections accepted for a cap of 2`);
    await waitFor('the sessions to register', () => (connectionsOf(u) === accepted.length ? true : undefined));
    await Promise.all(accepted.map((c) => c.close()));
  });

  it('counts per user: another user still connects', async () => {
    const u = await server.api.user('ws_cap_a');
    const other = await server.api.user('ws_cap_b');
    const a1 = track(await WsClient.ready(server.url, u.token));
    const a2 = track(await WsClient.ready(server.url, u.token));
    const b = track(await WsClient.ready(server.url, other.token));
    assert.equal((await b.next('hello')).userId, other.user.id);
    await Promise.all([a1.close(), a2.close(), b.close()]);
  });

  it('frees the slot when a connection closes', async () => {
    const u = await server.api.user('ws_cap_free');
    const first = track(await WsClient.ready(server.url, u.token));
    const second = track(await WsClient.ready(server.url, u.token));
    await first.close();
    await waitFor('the closed connection to leave the registry', () => (connectionsOf(u) === 1 ? true : undefined));
    const third = track(await WsClient.ready(server.url, u.token));
    assert.equal((await third.next('hello')).userId, u.user.id);
    await Promise.all([second.close(), third.close()]);
  });
});

describe('session start', () => {
  it('sends hello first (userId, deviceId, serverTime), then sync:done', async () => {
    const u = await server.api.user('ws_hello');
    const client = track(await WsClient.connect(server.url, u.token, { deviceId: 'laptop-1' }));
    await client.next('sync:done');
    const [hello, done] = client.frames;
    assert.equal(hello?.type, 'hello');
    assert.equal(hello.userId, u.user.id);
    assert.equal(hello.deviceId, 'laptop-1');
    assert.equal(hello.heartbeatSeconds, 30, 'ping every 30 s: half the default 60 s heartbeat timeout');
    assert.equal(typeof hello.serverTime, 'string');
    assert.ok(Math.abs(Date.parse(String(hello.serverTime)) - Date.now()) < 60_000, 'serverTime is now');
    assert.deepEqual(done, { type: 'sync:done' });
    await client.close();
  });

  it('puts the outbox between hello and sync:done', async () => {
    const [u, peer] = await Promise.all([server.api.user('ws_hello_ob'), server.api.user('ws_hello_peer')]);
    const conversationId = await server.api.direct(peer, u);
    assert.equal((await server.api.send(peer, conversationId, 'waiting for you')).status, 201);
    const client = track(await WsClient.ready(server.url, u.token));
    assert.deepEqual(
      client.frames.map((f) => f.type),
      ['hello', 'message:new', 'sync:done'],
    );
    assert.equal(client.messages(conversationId)[0]?.content, 'waiting for you');
    await client.close();
  });

  it('refuses a malformed deviceId at the handshake', async () => {
    const u = await server.api.user('ws_device_bad');
    const url = WsClient.url(server.url, { token: u.token, deviceId: 'not a device id!' });
    assert.equal(await refusal(WsClient.open(url)), 400);
  });
});
