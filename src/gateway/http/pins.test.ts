/**
 * Pinned and archived chats, the keep-archived setting and pinned messages
 * over REST and real WebSockets (docs/PROTOCOL.md, "Pins and archive"): the
 * cap of 3 pinned chats, pinned chats first in pin order, archive and the
 * automatic unarchive on a new message (unless kept archived), the state
 * event on the user's other connection, and who may pin a message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus } from '../../testing/assertions.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient, waitFor } from '../../testing/ws.js';

let server: TestServer;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await Promise.all(open.map((client) => client.close()));
  await server.close();
});

async function connect(user: TestUser, deviceId: string): Promise<WsClient> {
  const client = await WsClient.ready(server.url, user.token, { deviceId });
  open.push(client);
  return client;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them
type Item = any;

async function list(user: TestUser, archived?: 'true' | 'false' | 'all') {
  const query = archived ? `?archived=${archived}` : '';
  const res = await server.api.request('GET', `/api/v1/users/${user.user.id}/conversations${query}`, {
    token: user.token,
  });
  assertStatus(res, 200, 'list');
  assert.deepEqual(Object.keys(res.body), ['conversations'], 'the contract’s shape');
  return res.body as { conversations: Item[] };
}

const ids = (items: Item[]) => items.map((item) => item.id as string);
const call = (method: string, path: string, user: TestUser, body?: unknown) =>
  server.api.request(method, path, { token: user.token, ...(body === undefined ? {} : { body }) });

describe('pinned chats', () => {
  it('pins up to 3 chats, listed first newest pin first; the 4th answers 409 with the error body', async () => {
    const me = await server.api.user('pinner');
    const peers = await Promise.all([1, 2, 3, 4, 5].map((n) => server.api.user(`peer${n}`)));
    const chats: string[] = [];
    for (const peer of peers) chats.push(await server.api.direct(me, peer));
    // Activity: the newest message last, so without pins the list is reversed chat order.
    for (const [index, chat] of chats.entries()) {
      assertStatus(await server.api.send(peers[index]!, chat, `hello ${index}`), 201, 'send');
    }
    const [c0, c1, c2, c3, c4] = chats as [string, string, string, string, string];
    for (const chat of [c1, c0, c2]) {
      const res = await call('PUT', `/api/v1/users/me/pinned-chats/${chat}`, me);
      assertStatus(res, 200, 'pin');
      assert.equal(res.body.state.conversationId, chat);
      assert.equal(res.body.state.pinned, true);
      assert.equal(res.body.state.archived, false);
      assert.equal(typeof res.body.state.pinnedAt, 'string');
    }
    const fourth = await call('PUT', `/api/v1/users/me/pinned-chats/${c3}`, me);
    assertError(fourth, 409, 'conflict', 'the fourth pin');
    assert.match(fourth.body.error.message, /at most 3/);

    const { conversations } = await list(me);
    assert.deepEqual(ids(conversations), [c2, c0, c1, c4, c3]);
    assert.deepEqual(
      conversations.map((c: Item) => c.pinned),
      [true, true, true, false, false],
    );
    assert.equal(conversations[3].pinnedAt, null);

    // Pinning a pinned chat again changes nothing; unpinning frees a place.
    assertStatus(await call('PUT', `/api/v1/users/me/pinned-chats/${c1}`, me), 200, 'repeat pin');
    assert.deepEqual(ids((await list(me)).conversations).slice(0, 3), [c2, c0, c1]);
    const unpinned = await call('DELETE', `/api/v1/users/me/pinned-chats/${c0}`, me);
    assertStatus(unpinned, 200, 'unpin');
    assert.equal(unpinned.body.state.pinned, false);
    assertStatus(await call('PUT', `/api/v1/users/me/pinned-chats/${c3}`, me), 200, 'pin after unpin');
    assert.deepEqual(ids((await list(me)).conversations).slice(0, 3), [c3, c2, c1]);
  });

  it('refuses conversations the caller is not in, and bad ids, with the error body', async () => {
    const [a, b, outsider] = await Promise.all([server.api.user('pa'), server.api.user('pb'), server.api.user('po')]);
    const chat = await server.api.direct(a, b);
    assertError(await call('PUT', `/api/v1/users/me/pinned-chats/${chat}`, outsider), 404, 'not_found');
    assertError(await call('PUT', `/api/v1/users/me/archived-chats/${chat}`, outsider), 404, 'not_found');
    assertError(await call('PUT', '/api/v1/users/me/pinned-chats/bad%20id', a), 400, 'invalid_request');
    assertError(
      await server.api.request('GET', `/api/v1/users/${a.user.id}/conversations?archived=maybe`, { token: a.token }),
      400,
      'invalid_request',
    );
    assertError(
      await call('PATCH', '/api/v1/users/me/chat-settings', a, { keepArchived: 'yes' }),
      400,
      'invalid_request',
    );
  });

  it("sends conversation:state to the user's other connection, not to the peer", async () => {
    const [me, peer] = await Promise.all([server.api.user('tabs'), server.api.user('tabpeer')]);
    const chat = await server.api.direct(me, peer);
    const [tab1, tab2, peerSocket] = await Promise.all([
      connect(me, 'tab-1'),
      connect(me, 'tab-2'),
      connect(peer, 'peer-1'),
    ]);
    assertStatus(await call('PUT', `/api/v1/users/me/pinned-chats/${chat}`, me), 200, 'pin');
    for (const tab of [tab1, tab2]) {
      const frame = await tab.next('conversation:state', (f) => f.conversationId === chat && f.pinned);
      assert.equal(frame.archived, false);
    }
    assertStatus(await call('PUT', `/api/v1/users/me/archived-chats/${chat}`, me), 200, 'archive');
    const archived = await tab2.next('conversation:state', (f) => f.conversationId === chat && f.archived);
    assert.equal(archived.pinned, false, 'archiving unpins');
    await peerSocket.ping();
    assert.deepEqual(peerSocket.all('conversation:state'), [], 'the peer hears nothing of it');
    // It survives a reconnect: it is in the list.
    const [item] = (await list(me, 'true')).conversations;
    assert.equal(item.id, chat);
    assert.equal(item.archived, true);
  });
});

describe('archived chats', () => {
  it('hides an archived chat from the main list until a new message brings it back', async () => {
    const [me, peer] = await Promise.all([server.api.user('arch'), server.api.user('archpeer')]);
    const chat = await server.api.direct(me, peer);
    const other = await server.api.direct(me, await server.api.user('archother'));
    assertStatus(await call('PUT', `/api/v1/users/me/pinned-chats/${chat}`, me), 200, 'pin');
    const res = await call('PUT', `/api/v1/users/me/archived-chats/${chat}`, me);
    assertStatus(res, 200, 'archive');
    assert.deepEqual(res.body.state, { conversationId: chat, pinned: false, pinnedAt: null, archived: true });

    const main = await list(me);
    assert.deepEqual(ids(main.conversations), [other]);
    assert.deepEqual(ids((await list(me, 'true')).conversations), [chat]);
    assert.deepEqual(ids((await list(me, 'all')).conversations).sort(), [chat, other].sort());

    const socket = await connect(me, 'arch-1');
    assertStatus(await server.api.send(peer, chat, 'are you there?'), 201, 'send');
    const frame = await socket.next('conversation:state', (f) => f.conversationId === chat && !f.archived);
    assert.equal(frame.pinned, false);
    assert.deepEqual(ids((await list(me)).conversations), [chat, other]);
    assert.deepEqual((await list(me, 'true')).conversations, []);
  });

  it('keeps the chat archived when the user chose keep archived', async () => {
    const [me, peer] = await Promise.all([server.api.user('keep'), server.api.user('keeppeer')]);
    const chat = await server.api.direct(me, peer);
    const defaults = await call('GET', '/api/v1/users/me/chat-settings', me);
    assert.deepEqual(defaults.body, { settings: { keepArchived: false } });
    const set = await call('PATCH', '/api/v1/users/me/chat-settings', me, { keepArchived: true });
    assert.deepEqual(set.body, { settings: { keepArchived: true } });
    assertStatus(await call('PUT', `/api/v1/users/me/archived-chats/${chat}`, me), 200, 'archive');
    const socket = await connect(me, 'keep-1');
    const sent = await server.api.send(peer, chat, 'still archived?');
    assertStatus(sent, 201, 'send');
    await socket.next('message:new', (f) => f.message.id === sent.body.message.id);
    // The unarchive would have run right after the message; a second message makes sure it had its turn.
    assertStatus(await server.api.send(peer, chat, 'really?'), 201, 'send');
    await socket.ping();
    assert.deepEqual(ids((await list(me, 'true')).conversations), [chat]);
    assert.equal(socket.all('conversation:state').length, 0);
    // The peer, who did not archive it, is unaffected.
    assert.deepEqual(ids((await list(peer)).conversations), [chat]);

    const unarchived = await call('DELETE', `/api/v1/users/me/archived-chats/${chat}`, me);
    assert.equal(unarchived.body.state.archived, false);
    assert.deepEqual(ids((await list(me)).conversations), [chat]);
  });
});

describe('pinned messages', () => {
  async function groupScene() {
    const [admin, member, outsider] = await Promise.all([
      server.api.user('gadmin'),
      server.api.user('gmember'),
      server.api.user('gout'),
    ]);
    const group = await server.api.group(admin, [member], 'pins');
    const sent: string[] = [];
    for (const text of ['one', 'two', 'three', 'four']) {
      const res = await server.api.send(member, group, text);
      assertStatus(res, 201, 'send');
      sent.push(res.body.message.id);
    }
    return { admin, member, outsider, group, sent };
  }

  const pinPath = (group: string, message: string) => `/api/v1/conversations/${group}/pinned-messages/${message}`;

  it('lets only admins pin in a group, announces it with a system message and a live event', async () => {
    const { admin, member, outsider, group, sent } = await groupScene();
    const memberSocket = await connect(member, 'pins-member');
    assertError(await call('PUT', pinPath(group, sent[0]!), member), 403, 'forbidden', 'a member pins');
    assertError(await call('PUT', pinPath(group, sent[0]!), outsider), 404, 'not_found', 'an outsider pins');
    assertError(
      await call('GET', `/api/v1/conversations/${group}/pinned-messages`, outsider),
      404,
      'not_found',
      'an outsider lists',
    );
    assertError(await call('PUT', pinPath(group, 'no-such-message'), admin), 404, 'not_found');

    const pinned = await call('PUT', pinPath(group, sent[0]!), admin);
    assertStatus(pinned, 200, 'pin');
    assert.equal(pinned.body.pins.length, 1);
    assert.equal(pinned.body.pins[0].message.id, sent[0]);
    assert.equal(pinned.body.pins[0].pinnedBy, admin.user.id);

    const event = await memberSocket.next('conversation:pins', (f) => f.conversationId === group);
    assert.deepEqual(
      event.pins.map((p) => p.message.id),
      [sent[0]],
    );
    const system = await memberSocket.next('message:new', (f) => f.message.system?.event === 'message_pinned');
    assert.equal(system.message.system?.event, 'message_pinned');
    assert.equal(system.message.system?.messageId, sent[0]);
    assert.equal(system.message.system?.actorId, admin.user.id);

    // Pinning it again: no second announcement.
    assertStatus(await call('PUT', pinPath(group, sent[0]!), admin), 200, 'repeat');
    const history = await call('GET', `/api/v1/conversations/${group}/messages`, admin);
    assert.equal(history.body.messages.filter((m: Item) => m.system?.event === 'message_pinned').length, 1);

    // The system message cannot itself be pinned.
    assertError(await call('PUT', pinPath(group, system.message.id), admin), 400, 'invalid_request');
  });

  it('keeps 3 pins, replacing the oldest, and unpins', async () => {
    const { admin, member, group, sent } = await groupScene();
    for (const id of sent) assertStatus(await call('PUT', pinPath(group, id), admin), 200, 'pin');
    const res = await call('GET', `/api/v1/conversations/${group}/pinned-messages`, member);
    assert.deepEqual(
      res.body.pins.map((p: Item) => p.message.id),
      [sent[3], sent[2], sent[1]],
    );
    assertError(await call('DELETE', pinPath(group, sent[2]!), member), 403, 'forbidden', 'a member unpins');
    const unpinned = await call('DELETE', pinPath(group, sent[2]!), admin);
    assert.deepEqual(
      unpinned.body.pins.map((p: Item) => p.message.id),
      [sent[3], sent[1]],
    );
    // A message deleted for everyone leaves the pins.
    assertStatus(await call('DELETE', `/api/v1/messages/${sent[3]}`, member), 200, 'delete');
    await waitFor('the deleted message unpinned', async () => {
      const now = await call('GET', `/api/v1/conversations/${group}/pinned-messages`, admin);
      return now.body.pins.length === 1 ? now.body.pins : undefined;
    });
  });

  it('lets either member of a direct chat pin, without a system message; a later member sees only its window', async () => {
    const [a, b] = await Promise.all([server.api.user('da'), server.api.user('db')]);
    const chat = await server.api.direct(a, b);
    const sent = await server.api.send(a, chat, 'pin me');
    assertStatus(await call('PUT', pinPath(chat, sent.body.message.id), b), 200, 'the peer pins');
    const history = await call('GET', `/api/v1/conversations/${chat}/messages`, a);
    assert.equal(history.body.messages.filter((m: Item) => m.type === 'system').length, 0);

    const { admin, group, sent: groupSent } = await groupScene();
    assertStatus(await call('PUT', pinPath(group, groupSent[0]!), admin), 200, 'pin');
    const late = await server.api.user('late');
    assertStatus(
      await call('PUT', `/api/v1/groups/${group}/members`, admin, { userId: late.user.id }),
      200,
      'add a member',
    );
    const seen = await call('GET', `/api/v1/conversations/${group}/pinned-messages`, late);
    assert.deepEqual(seen.body.pins, [], 'a pin from before the member joined stays hidden');
  });
});
