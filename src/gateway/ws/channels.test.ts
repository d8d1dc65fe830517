/**
 * Broadcast channels over REST and real WebSockets (docs/PROTOCOL.md,
 * "Channels"): only admins post (403 / error frame `forbidden`), an online
 * member receives live, an offline member catches up with `sync` from its own
 * cursor with no outbox replay on connect, reads move reader counts that only
 * admins read, and nobody hears of another member's receipts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../../testing/assertions.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient, waitFor } from '../../testing/ws.js';

let server: TestServer;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer({ CHAT_MAX_CHANNEL_MEMBERS: '4' });
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.close();
});

async function connect(user: TestUser, deviceId?: string): Promise<WsClient> {
  const client = await WsClient.ready(server.url, user.token, deviceId ? { deviceId } : {});
  open.push(client);
  return client;
}

async function createChannel(admin: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await server.api.request('POST', '/api/v1/channels', {
    token: admin.token,
    body: { name: 'News', ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.conversation.type, 'channel');
  return res.body.conversation.id;
}

async function join(user: TestUser, channelId: string) {
  return server.api.request('POST', `/api/v1/channels/${channelId}/join`, { token: user.token });
}

describe('channels: creating, finding, joining', () => {
  it('creates a public channel whose creator is admin, found by name and joined by id', async () => {
    const [admin, reader] = await Promise.all([server.api.user('ch_admin'), server.api.user('ch_reader')]);
    const channelId = await createChannel(admin, { name: 'Zebra crossings' });
    const found = await server.api.request('GET', '/api/v1/channels?search=zebra', { token: reader.token });
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.body.channels.map((c: { id: string }) => c.id),
      [channelId],
    );
    const joined = await join(reader, channelId);
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    assert.deepEqual(joined.body.conversation.channel, { public: true, memberCount: 2 });
    // The members list names the admins only; the channel's size rides along.
    assert.deepEqual(
      joined.body.conversation.members.map((m: { userId: string; role: string }) => [m.userId, m.role]),
      [[admin.user.id, 'admin']],
    );
    assert.equal((await join(reader, channelId)).body.conversation.channel.memberCount, 2, 'joining again is a no-op');
    const list = await server.api.request('GET', `/api/v1/users/${reader.user.id}/conversations`, {
      token: reader.token,
    });
    const entry = list.body.conversations.find((c: { id: string }) => c.id === channelId);
    assert.equal(entry?.type, 'channel');
    assert.equal(entry?.lastMessage?.system?.event, 'channel_created');
  });

  it('keeps private channels out of search and refuses joining them; admins add members', async () => {
    const [admin, reader, outsider] = await Promise.all([
      server.api.user('ch_priv_a'),
      server.api.user('ch_priv_r'),
      server.api.user('ch_priv_o'),
    ]);
    const channelId = await createChannel(admin, { name: 'Quiet room', public: false });
    const found = await server.api.request('GET', '/api/v1/channels?search=quiet', { token: reader.token });
    assert.equal(found.body.channels.length, 0);
    assertError(await join(reader, channelId), 404, 'not_found', 'joining a private channel');
    const added = await server.api.request('PUT', `/api/v1/channels/${channelId}/members`, {
      token: admin.token,
      body: { userIds: [reader.user.id] },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.added, [reader.user.id]);
    const refused = await server.api.request('PUT', `/api/v1/channels/${channelId}/members`, {
      token: reader.token,
      body: { userIds: [outsider.user.id] },
    });
    assertError(refused, 403, 'forbidden', 'a reader adding members');
    const bad = await server.api.request('PUT', `/api/v1/channels/${channelId}/members`, {
      token: admin.token,
      body: { userIds: [] },
    });
    assertError(bad, 400, 'invalid_request', 'no user ids');
  });

  it('refuses members beyond CHAT_MAX_CHANNEL_MEMBERS with conflict', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map((i) => server.api.user(`ch_cap_${i}`)));
    const [admin, ...others] = users as [TestUser, ...TestUser[]];
    const channelId = await createChannel(admin);
    for (const user of others.slice(0, 3)) assert.equal((await join(user, channelId)).status, 200);
    assertError(
      await join(others[3] as TestUser, channelId),
      409,
      'conflict',
      'the fifth member of a 4-member channel',
    );
  });

  it('lets admins name admins, keeps the only admin, and lets members leave', async () => {
    const [admin, reader] = await Promise.all([server.api.user('ch_role_a'), server.api.user('ch_role_r')]);
    const channelId = await createChannel(admin);
    await join(reader, channelId);
    const leaveAlone = await server.api.request('DELETE', `/api/v1/channels/${channelId}/members/${admin.user.id}`, {
      token: admin.token,
    });
    assertError(leaveAlone, 409, 'conflict', 'the only admin leaving');
    const promoted = await server.api.request('PUT', `/api/v1/channels/${channelId}/members/${reader.user.id}/role`, {
      token: admin.token,
      body: { role: 'admin' },
    });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.conversation.members.length, 2);
    const left = await server.api.request('DELETE', `/api/v1/channels/${channelId}/members/${admin.user.id}`, {
      token: admin.token,
    });
    assert.equal(left.status, 204);
    assertError(await server.api.send(admin, channelId, 'gone'), 404, 'not_found', 'a past member posting');
  });
});

describe('channels: posting and delivery', () => {
  it('refuses non-admin posts over REST and WebSocket with forbidden', async () => {
    const [admin, reader] = await Promise.all([server.api.user('ch_post_a'), server.api.user('ch_post_r')]);
    const channelId = await createChannel(admin);
    await join(reader, channelId);
    assertError(await server.api.send(reader, channelId, 'hi all'), 403, 'forbidden', 'a reader posting');
    const client = await connect(reader);
    client.send({ type: 'message:send', clientMsgId: 'r-1', conversationId: channelId, content: 'hi' });
    const error = await client.next('error', (f) => f.clientMsgId === 'r-1');
    assert.equal(error.code, 'forbidden');
  });

  it('delivers live to online members, with no receipts for the admin', async () => {
    const [admin, r1, r2] = await Promise.all([
      server.api.user('ch_live_a'),
      server.api.user('ch_live_1'),
      server.api.user('ch_live_2'),
    ]);
    const channelId = await createChannel(admin);
    await Promise.all([join(r1, channelId), join(r2, channelId)]);
    const [adminWs, ws1, ws2] = await Promise.all([connect(admin), connect(r1), connect(r2)]);
    const sent = await adminWs.sendMessage(channelId, 'first post');
    for (const ws of [ws1, ws2, adminWs]) {
      const frame = await ws.next('message:new', (f) => f.message.id === sent.message.id);
      assert.equal(frame.message.seq, 2);
    }
    ws1.send({ type: 'message:received', conversationId: channelId, seq: 2 });
    ws1.send({ type: 'message:read', conversationId: channelId, seq: 2 });
    await ws1.ping();
    await adminWs.ping();
    assert.equal(adminWs.all('message:delivered').length, 0, 'no per-member delivered receipts');
    assert.equal(adminWs.all('message:read').length, 0, 'no per-member read receipts');
    const counts = await waitFor('reader count', async () => {
      const res = await server.api.request('GET', `/api/v1/channels/${channelId}/readers?seqs=1,2`, {
        token: admin.token,
      });
      return res.body.readers?.['2'] === 1 ? res.body : undefined;
    });
    assert.deepEqual(counts, { conversationId: channelId, memberCount: 3, readers: { '1': 1, '2': 1 } });
    const asReader = await server.api.request('GET', `/api/v1/channels/${channelId}/readers?seqs=2`, {
      token: r1.token,
    });
    assertError(asReader, 403, 'forbidden', 'a reader reading the counts');
  });

  it('lets an offline member catch up with sync, without replaying the channel on connect', async () => {
    const [admin, reader] = await Promise.all([server.api.user('ch_off_a'), server.api.user('ch_off_r')]);
    const channelId = await createChannel(admin);
    await join(reader, channelId);
    for (let i = 0; i < 3; i++) assert.equal((await server.api.send(admin, channelId, `post ${i}`)).status, 201);
    const ws = await connect(reader, 'phone');
    // hello … sync:done came without any channel message: channels have no outbox.
    assert.equal(ws.messages(channelId).length, 0);
    ws.send({ type: 'sync', conversations: { [channelId]: 1 }, ref: 'open' });
    await ws.next('sync:done', (f) => f.ref === 'open');
    assert.deepEqual(ws.seqs(channelId), [2, 3, 4]);
    // Live from there on, in order.
    await server.api.send(admin, channelId, 'post 3');
    await ws.waitForMessages(channelId, 4);
    assert.deepEqual(ws.seqs(channelId), [2, 3, 4, 5]);
    const list = await server.api.request('GET', `/api/v1/users/${reader.user.id}/conversations`, {
      token: reader.token,
    });
    const entry = list.body.conversations.find((c: { id: string }) => c.id === channelId);
    assert.equal(entry.unreadCount, 4);
    assert.equal(entry.lastSeq, 5);
  });

  it('starts following a channel joined while connected, and stops after leaving', async () => {
    const [admin, reader] = await Promise.all([server.api.user('ch_follow_a'), server.api.user('ch_follow_r')]);
    const channelId = await createChannel(admin);
    const ws = await connect(reader);
    await join(reader, channelId);
    await ws.next('conversation:updated', (f) => f.conversation.id === channelId);
    const sent = await server.api.send(admin, channelId, 'welcome');
    await ws.next('message:new', (f) => f.message.id === sent.body.message.id);
    const left = await server.api.request('DELETE', `/api/v1/channels/${channelId}/members/${reader.user.id}`, {
      token: reader.token,
    });
    assert.equal(left.status, 204);
    await ws.next('conversation:removed', (f) => f.conversationId === channelId);
    await server.api.send(admin, channelId, 'after you left');
    await ws.ping();
    assert.deepEqual(ws.seqs(channelId), [2]);
  });
});
