/**
 * Typing indicators (../shared/CONTRACT.md, "WebSocket"; docs/PROTOCOL.md,
 * "typing:start · typing:stop"): relayed to the other members that are online,
 * never to the typist or to non-members; a start lapses after
 * CHAT_TYPING_LAPSE_MS and the server sends the stop; typing where the user is
 * not a member is an error; more than 20 typing frames in 10 s are rate limited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient } from '../../testing/ws.js';

const LAPSE_MS = 1000;

/** Starts never lapse here (1 min): every typing:stop seen is a relayed one. */
let server: TestServer;
/** Starts lapse after LAPSE_MS. */
let lapsing: TestServer;
const open: WsClient[] = [];

before(async () => {
  [server, lapsing] = await Promise.all([
    startTestServer({ CHAT_TYPING_LAPSE_MS: '60000' }),
    startTestServer({ CHAT_TYPING_LAPSE_MS: String(LAPSE_MS) }),
  ]);
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([server.close(), lapsing.close()]);
});

async function connect(user: TestUser, deviceId?: string, on: TestServer = server): Promise<WsClient> {
  const client = await WsClient.ready(on.url, user.token, deviceId ? { deviceId } : {});
  open.push(client);
  return client;
}

/** A group of three; `outsider` (only when asked for) shares nothing with them. */
async function trio(prefix: string, withOutsider = false, on: TestServer = server) {
  const names = withOutsider ? ['a', 'b', 'c', 'x'] : ['a', 'b', 'c'];
  const [alice, bob, carol, outsider] = (await Promise.all(names.map((s) => on.api.user(`${prefix}_${s}`)))) as [
    TestUser,
    TestUser,
    TestUser,
    TestUser,
  ];
  const group = await on.api.group(alice, [bob, carol], `${prefix} group`);
  return { alice, bob, carol, outsider, group };
}

/** A short grace after a barrier, for frames that must not arrive on another socket. */
const grace = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('typing relay', () => {
  it('relays typing:start to the other online members only', async () => {
    const { alice, bob, carol, outsider, group } = await trio('typing_start', true);
    const alicePhone = await connect(alice, 'phone');
    const aliceLaptop = await connect(alice, 'laptop');
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    const stranger = await connect(outsider);
    alicePhone.send({ type: 'typing:start', conversationId: group });
    const expected = { type: 'typing:start', conversationId: group, userId: alice.user.id };
    assert.deepEqual(await bobClient.next('typing:start'), expected);
    assert.deepEqual(await carolClient.next('typing:start'), expected);
    await Promise.all([alicePhone.ping(), aliceLaptop.ping(), stranger.ping()]);
    await grace();
    assert.equal(alicePhone.all('typing:start').length, 0, 'not to the typist');
    assert.equal(aliceLaptop.all('typing:start').length, 0, "not to the typist's other devices");
    assert.equal(stranger.all('typing:start').length, 0, 'not to a non-member');
    alicePhone.send({ type: 'typing:stop', conversationId: group });
    await bobClient.next('typing:stop');
  });

  it('relays typing:stop', async () => {
    const { alice, bob, group } = await trio('typing_stop');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await bobClient.next('typing:start');
    aliceClient.send({ type: 'typing:stop', conversationId: group });
    // Starts never lapse on this server: the stop is the relayed one.
    const stop = await bobClient.next('typing:stop');
    assert.deepEqual(stop, { type: 'typing:stop', conversationId: group, userId: alice.user.id });
    assert.equal(bobClient.all('typing:stop').length, 1);
  });

  it('does not store typing: a member who connects later sees nothing of it', async () => {
    const { alice, bob, group } = await trio('typing_nostore');
    const aliceClient = await connect(alice);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await aliceClient.ping();
    const bobClient = await connect(bob);
    await bobClient.ping();
    await grace();
    assert.equal(bobClient.all('typing:start').length, 0);
    assert.ok(bobClient.all('message:new').every((f) => f.message.type === 'system'));
  });

  it('a start lapses after CHAT_TYPING_LAPSE_MS: the server sends typing:stop', async () => {
    const { alice, bob, group } = await trio('typing_lapse', false, lapsing);
    const aliceClient = await connect(alice, undefined, lapsing);
    const bobClient = await connect(bob, undefined, lapsing);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await bobClient.next('typing:start');
    const startedAt = Date.now();
    const stop = await bobClient.next('typing:stop', undefined, LAPSE_MS * 10);
    const elapsed = Date.now() - startedAt;
    assert.deepEqual(stop, { type: 'typing:stop', conversationId: group, userId: alice.user.id });
    assert.ok(elapsed >= LAPSE_MS - 100, `lapsed after ${elapsed} ms, not before ${LAPSE_MS} ms`);
  });

  it('a renewed start pushes the lapse back', async () => {
    const { alice, bob, group } = await trio('typing_renew', false, lapsing);
    const aliceClient = await connect(alice, undefined, lapsing);
    const bobClient = await connect(bob, undefined, lapsing);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await bobClient.next('typing:start');
    const startedAt = Date.now();
    // Renew twice, each before the lapse.
    for (let i = 2; i <= 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, LAPSE_MS / 3));
      aliceClient.send({ type: 'typing:start', conversationId: group });
      await bobClient.until(() => bobClient.all('typing:start').length >= i);
    }
    assert.equal(bobClient.all('typing:stop').length, 0, 'no stop while renewed');
    await bobClient.next('typing:stop', undefined, LAPSE_MS * 10);
    assert.ok(Date.now() - startedAt >= LAPSE_MS * 1.6, 'the stop came after the last renewal lapsed');
  });

  it("stops the user's typing when its last connection closes", async () => {
    const { alice, bob, group } = await trio('typing_close');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await bobClient.next('typing:start');
    await aliceClient.close();
    // The server here never lapses a start, so this stop is the one the close caused.
    await bobClient.next('typing:stop');
  });

  it('a member who comes online receives the typing frames from then on', async () => {
    const { alice, bob, carol, group } = await trio('typing_offline');
    const aliceClient = await connect(alice);
    const carolClient = await connect(carol);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await carolClient.next('typing:start');
    const bobClient = await connect(bob);
    aliceClient.send({ type: 'typing:start', conversationId: group });
    await bobClient.next('typing:start');
  });
});

describe('typing errors', () => {
  it('answers typing in a conversation the user is not in with an error frame', async () => {
    const { bob, outsider, group } = await trio('typing_nonmember', true);
    const bobClient = await connect(bob);
    const stranger = await connect(outsider);
    stranger.send({ type: 'typing:start', conversationId: group });
    const error = await stranger.next('error');
    assert.equal(error.code, 'not_found');
    stranger.send({ type: 'typing:start', conversationId: 'no-such-conversation' });
    await stranger.until(() => stranger.all('error').length === 2);
    assert.equal(stranger.all('error')[1]?.code, 'not_found');
    await stranger.ping();
    await bobClient.ping();
    await grace();
    assert.equal(bobClient.all('typing:start').length, 0, 'nothing relayed');
    assert.ok(stranger.isOpen);
  });

  it('answers more than 20 typing frames in 10 s with rate_limited', async () => {
    const { alice, bob, group } = await trio('typing_flood');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    for (let i = 0; i < 20; i += 1) {
      aliceClient.send({ type: i % 2 ? 'typing:stop' : 'typing:start', conversationId: group });
    }
    await aliceClient.ping();
    await bobClient.until(
      () => bobClient.all('typing:start').length === 10 && bobClient.all('typing:stop').length === 10,
    );
    assert.equal(aliceClient.all('error').length, 0, 'twenty are allowed');
    aliceClient.send({ type: 'typing:start', conversationId: group });
    const error = await aliceClient.next('error');
    assert.equal(error.code, 'rate_limited');
    await aliceClient.ping();
    await bobClient.ping();
    await grace();
    assert.equal(bobClient.all('typing:start').length, 10, 'the refused start was not relayed');
    assert.ok(aliceClient.isOpen, 'rate limiting does not close the connection');
    // Messages are not typing frames: sending still works.
    const ack = await aliceClient.sendMessage(group, 'still here');
    assert.equal(ack.message.content, 'still here');
  });
});
