/**
 * Presence (../shared/CONTRACT.md, "Presence" and `GET /users/{id}/presence`;
 * docs/PROTOCOL.md, "Presence"): online while a connection is open and
 * heartbeating, idle after presence:set idle or CHAT_IDLE_AFTER_SECONDS without
 * activity, offline at once on a clean close or when the heartbeat times out
 * (4408); presence:update goes to the online users who share a conversation,
 * as the user's privacy allows, and the REST read applies the same rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Presence } from '../../protocol/dto.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { type Frame, WsClient, waitFor } from '../../testing/ws.js';

type PresenceFrame = Extract<Frame, { type: 'presence:update' }>;

let server: TestServer;
/** Heartbeat timeout of 2 s and idle delay of 1 s. */
let fast: TestServer;
const open: WsClient[] = [];

before(async () => {
  [server, fast] = await Promise.all([
    startTestServer(),
    startTestServer({ CHAT_HEARTBEAT_TIMEOUT_SECONDS: '2', CHAT_IDLE_AFTER_SECONDS: '1' }),
  ]);
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([server.close(), fast.close()]);
});

async function connect(user: TestUser, on: TestServer = server, deviceId?: string): Promise<WsClient> {
  const client = await WsClient.ready(on.url, user.token, deviceId ? { deviceId } : {});
  open.push(client);
  return client;
}

/** Two users who share a direct conversation. */
async function peers(prefix: string, on: TestServer = server) {
  const [user, peer] = (await Promise.all(['u', 'p'].map((s) => on.api.user(`${prefix}_${s}`)))) as [
    TestUser,
    TestUser,
  ];
  const direct = await on.api.direct(user, peer);
  return { user, peer, direct };
}

function about(user: TestUser, status?: string | null) {
  return (f: PresenceFrame) => f.userId === user.user.id && (status === undefined || f.status === status);
}

function updatesAbout(client: WsClient, user: TestUser): PresenceFrame[] {
  return client.all('presence:update').filter((f) => f.userId === user.user.id);
}

async function presenceOf(viewer: TestUser, target: TestUser, on: TestServer = server): Promise<Presence> {
  const res = await on.api.request('GET', `/api/v1/users/${target.user.id}/presence`, { token: viewer.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function setPrivacy(user: TestUser, privacy: { presence?: string; lastSeen?: string }, on: TestServer = server) {
  const res = await on.api.request('PATCH', '/api/v1/users/me', { token: user.token, body: { privacy } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.settings.privacy, { presence: 'everyone', lastSeen: 'everyone', ...privacy });
}

function isRecent(iso: string | null, withinMs = 60_000): boolean {
  return iso !== null && Math.abs(Date.now() - Date.parse(iso)) < withinMs;
}

/** A short grace after a barrier, for frames that must not arrive on another socket. */
const grace = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('presence:update', () => {
  it('tells a peer when a user comes online, and offline at once on a clean close', async () => {
    const { user, peer } = await peers('pres_basic');
    const stranger = await server.api.user('pres_basic_s');
    const peerClient = await connect(peer);
    const strangerClient = await connect(stranger);
    const userClient = await connect(user);
    const online = await peerClient.next('presence:update', about(user, 'online'));
    assert.ok(isRecent(online.lastSeen), `lastSeen is set (${online.lastSeen})`);
    assert.deepEqual((await presenceOf(peer, user)).status, 'online');
    await userClient.close();
    const offline = await peerClient.next('presence:update', about(user, 'offline'));
    assert.ok(isRecent(offline.lastSeen), 'lastSeen is kept when offline');
    const rest = await presenceOf(peer, user);
    assert.equal(rest.status, 'offline');
    assert.equal(rest.lastSeen, offline.lastSeen);
    await strangerClient.ping();
    assert.equal(updatesAbout(strangerClient, user).length, 0, 'no updates to users who share no conversation');
  });

  it('an observer connection (mode=observe) gets no chat traffic and does not make its user online', async () => {
    const { user, peer, direct } = await peers('pres_observer');
    const peerClient = await connect(peer);
    const observer = await WsClient.ready(server.url, user.token, { mode: 'observe' });
    open.push(observer);
    assert.deepEqual(
      observer.frames.map((f) => f.type),
      ['hello', 'sync:done'],
      'no outbox replay',
    );
    assert.equal((await presenceOf(peer, user)).status, 'offline');
    // Chat traffic goes to the user's chat connections only.
    const chat = await connect(user);
    await peerClient.next('presence:update', about(user, 'online'));
    const sent = await peerClient.sendMessage(direct, 'not for observers');
    await chat.next('message:new', (f) => f.message.id === sent.message.id);
    await observer.ping();
    await grace();
    assert.deepEqual(
      observer.frames.map((f) => f.type),
      ['hello', 'sync:done', 'pong'],
      'nothing but its own answers',
    );
    await chat.close();
    await peerClient.next('presence:update', about(user, 'offline'));
    assert.ok(observer.isOpen);
  });

  it('stays online while another connection is open', async () => {
    const { user, peer } = await peers('pres_multi');
    const peerClient = await connect(peer);
    const phone = await connect(user, server, 'phone');
    const laptop = await connect(user, server, 'laptop');
    await peerClient.next('presence:update', about(user, 'online'));
    await phone.close();
    await laptop.ping();
    await grace();
    assert.deepEqual(
      updatesAbout(peerClient, user).map((f) => f.status),
      ['online'],
      'one connection closing is no change',
    );
    assert.equal((await presenceOf(peer, user)).status, 'online');
    await laptop.close();
    await peerClient.next('presence:update', about(user, 'offline'));
  });

  it('presence:set idle shows the user idle; presence:set online brings it back', async () => {
    const { user, peer } = await peers('pres_set');
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    await peerClient.next('presence:update', about(user, 'online'));
    userClient.send({ type: 'presence:set', status: 'idle' });
    const idle = await peerClient.next('presence:update', about(user, 'idle'));
    assert.equal(idle.userId, user.user.id);
    assert.equal((await presenceOf(peer, user)).status, 'idle');
    userClient.send({ type: 'presence:set', status: 'online' });
    await peerClient.until(() => updatesAbout(peerClient, user).length === 3);
    assert.deepEqual(
      updatesAbout(peerClient, user).map((f) => f.status),
      ['online', 'idle', 'online'],
    );
  });

  it('is idle only when every connection is idle', async () => {
    const { user, peer } = await peers('pres_idle_all');
    const peerClient = await connect(peer);
    const phone = await connect(user, server, 'phone');
    const laptop = await connect(user, server, 'laptop');
    await peerClient.next('presence:update', about(user, 'online'));
    phone.send({ type: 'presence:set', status: 'idle' });
    await phone.ping();
    assert.equal((await presenceOf(peer, user)).status, 'online', 'the laptop is still active');
    laptop.send({ type: 'presence:set', status: 'idle' });
    await peerClient.next('presence:update', about(user, 'idle'));
  });

  it('sending a message is activity: an idle user is online again and lastSeen moves', async () => {
    const { user, peer, direct } = await peers('pres_activity');
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    userClient.send({ type: 'presence:set', status: 'idle' });
    const idle = await peerClient.next('presence:update', about(user, 'idle'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await userClient.sendMessage(direct, 'back');
    const back = await peerClient.next(
      'presence:update',
      (f) => about(user, 'online')(f) && f !== updatesAbout(peerClient, user)[0],
    );
    assert.ok(back.lastSeen !== null && idle.lastSeen !== null && back.lastSeen > idle.lastSeen, 'lastSeen moved on');
  });

  it('a user sees its own presence', async () => {
    const { user } = await peers('pres_self');
    await setPrivacy(user, { presence: 'nobody', lastSeen: 'nobody' });
    const client = await connect(user);
    const own = await presenceOf(user, user);
    assert.equal(own.status, 'online');
    assert.ok(isRecent(own.lastSeen));
    await client.close();
  });
});

describe('presence privacy', () => {
  it('nobody: peers get no presence:update and read null status and lastSeen', async () => {
    const { user, peer } = await peers('priv_nobody');
    await setPrivacy(user, { presence: 'nobody', lastSeen: 'nobody' });
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    await userClient.ping();
    assert.deepEqual(await presenceOf(peer, user), { userId: user.user.id, status: null, lastSeen: null });
    userClient.send({ type: 'presence:set', status: 'idle' });
    await userClient.ping();
    await userClient.close();
    await grace();
    assert.deepEqual(updatesAbout(peerClient, user), [], 'no frames about a user who hides its presence');
    assert.deepEqual(await presenceOf(peer, user), { userId: user.user.id, status: null, lastSeen: null });
  });

  it('presence nobody, lastSeen everyone: frames carry status null and the lastSeen', async () => {
    const { user, peer } = await peers('priv_status');
    await setPrivacy(user, { presence: 'nobody' });
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    const frame = await peerClient.next('presence:update', about(user));
    assert.equal(frame.status, null);
    assert.ok(isRecent(frame.lastSeen));
    const rest = await presenceOf(peer, user);
    assert.equal(rest.status, null);
    assert.ok(isRecent(rest.lastSeen));
    await userClient.close();
    await peerClient.until(() => updatesAbout(peerClient, user).length === 2);
    assert.ok(
      updatesAbout(peerClient, user).every((f) => f.status === null),
      'never the status',
    );
  });

  it('lastSeen nobody: frames carry the status and lastSeen null', async () => {
    const { user, peer } = await peers('priv_lastseen');
    await setPrivacy(user, { lastSeen: 'nobody' });
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    const frame = await peerClient.next('presence:update', about(user));
    assert.deepEqual(frame, { type: 'presence:update', userId: user.user.id, status: 'online', lastSeen: null });
    assert.deepEqual(await presenceOf(peer, user), { userId: user.user.id, status: 'online', lastSeen: null });
    await userClient.close();
  });

  it("contacts: only users in the user's contact list get updates and read the status", async () => {
    const [user, friend, acquaintance] = (await Promise.all(
      ['u', 'f', 'a'].map((s) => server.api.user(`priv_contacts_${s}`)),
    )) as [TestUser, TestUser, TestUser];
    await server.api.group(user, [friend, acquaintance], 'shared');
    const added = await server.api.request('PUT', `/api/v1/users/me/contacts/${friend.user.id}`, { token: user.token });
    assert.equal(added.status, 204);
    // The acquaintance lists the user as a contact, but the user does not list it back: that does not count.
    await server.api.request('PUT', `/api/v1/users/me/contacts/${user.user.id}`, { token: acquaintance.token });
    await setPrivacy(user, { presence: 'contacts', lastSeen: 'contacts' });
    const friendClient = await connect(friend);
    const acquaintanceClient = await connect(acquaintance);
    const userClient = await connect(user);
    const online = await friendClient.next('presence:update', about(user, 'online'));
    assert.ok(isRecent(online.lastSeen));
    assert.equal((await presenceOf(friend, user)).status, 'online');
    assert.deepEqual(await presenceOf(acquaintance, user), { userId: user.user.id, status: null, lastSeen: null });
    await userClient.close();
    await friendClient.next('presence:update', about(user, 'offline'));
    await acquaintanceClient.ping();
    await grace();
    assert.deepEqual(updatesAbout(acquaintanceClient, user), [], 'no updates to a non-contact');
  });

  it('changing the privacy applies to the next update', async () => {
    const { user, peer } = await peers('priv_change');
    const peerClient = await connect(peer);
    const userClient = await connect(user);
    await peerClient.next('presence:update', about(user, 'online'));
    await setPrivacy(user, { presence: 'nobody', lastSeen: 'nobody' });
    userClient.send({ type: 'presence:set', status: 'idle' });
    await userClient.ping();
    await grace();
    assert.deepEqual(
      updatesAbout(peerClient, user).map((f) => f.status),
      ['online'],
    );
    assert.deepEqual(await presenceOf(peer, user), { userId: user.user.id, status: null, lastSeen: null });
  });
});

describe('heartbeat and idle timing (CHAT_HEARTBEAT_TIMEOUT_SECONDS=2, CHAT_IDLE_AFTER_SECONDS=1)', () => {
  it('closes a connection that sends no frame with 4408, and the user goes offline', async () => {
    const { user, peer } = await peers('hb_timeout', fast);
    const peerClient = await connect(peer, fast);
    peerClient.keepAlive(200);
    const silent = await connect(user, fast);
    await peerClient.next('presence:update', about(user, 'online'));
    const code = await silent.closedWithin(8000);
    assert.equal(code, 4408);
    await peerClient.next('presence:update', about(user, 'offline'), 5000);
    assert.equal((await presenceOf(peer, user, fast)).status, 'offline');
    assert.ok(peerClient.isOpen, 'the pinging peer was kept alive');
  });

  it('pings keep a connection alive but are not activity: the user goes idle on its own', async () => {
    const { user, peer } = await peers('hb_idle', fast);
    const peerClient = await connect(peer, fast);
    peerClient.keepAlive(200);
    const userClient = await connect(user, fast);
    userClient.keepAlive(200);
    await peerClient.next('presence:update', about(user, 'online'));
    const idle = await peerClient.next('presence:update', about(user, 'idle'), 3000);
    assert.ok(isRecent(idle.lastSeen));
    // Well past the heartbeat timeout, the pinging connection is still open and the user idle, not offline.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok(userClient.isOpen, 'pings kept the connection open');
    assert.equal((await presenceOf(peer, user, fast)).status, 'idle');
    assert.ok(!updatesAbout(peerClient, user).some((f) => f.status === 'offline'));
    // Activity brings it back online.
    userClient.send({ type: 'typing:start', conversationId: await fast.api.direct(user, peer) });
    await peerClient.next(
      'presence:update',
      (f) => about(user, 'online')(f) && updatesAbout(peerClient, user).indexOf(f) > 0,
    );
  });

  it('a lost connection (no close handshake) is offline once the heartbeat timeout has passed', async () => {
    const { user, peer } = await peers('hb_lost', fast);
    const peerClient = await connect(peer, fast);
    peerClient.keepAlive(200);
    const userClient = await connect(user, fast);
    const connectedAt = Date.now();
    await peerClient.next('presence:update', about(user, 'online'));
    userClient.socket.terminate();
    await waitFor('the server to notice the lost connection', () =>
      fast.node.gateway.registry.countForUser(user.user.id) === 0 ? true : undefined,
    );
    // Not a clean close: the user still counts as online until the heartbeat timeout (2 s after
    // the last heartbeat, at the latest the connect), so a quick reconnect would show no flap.
    const status = (await presenceOf(peer, user, fast)).status;
    if (Date.now() - connectedAt < 1500) assert.equal(status, 'online', 'a lost connection is not offline at once');
    await peerClient.next('presence:update', about(user, 'offline'), 8000);
    assert.ok(Date.now() - connectedAt >= 1900, 'offline only once the heartbeat timeout passed');
  });
});
