/** The SDK against the real server: chatting, REST helpers, receipts, typing, offline queueing, 4401. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing/server.js';
import { ChatClient } from './client.js';
import { ChatApiError } from './errors.js';
import {
  assertExactlyOnceInOrder,
  faultySockets,
  fullHistory,
  Inbox,
  type SocketControl,
  sdkClient,
  sleep,
  waitFor,
} from './testkit.js';

describe('ChatClient with a real server', () => {
  let server: TestServer;
  const clients: ChatClient[] = [];
  const track = (client: ChatClient) => {
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('two clients chat: every message arrives exactly once, in order, on both sides', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const a = track(sdkClient(server, alice));
    const b = track(sdkClient(server, bob));
    const aInbox = new Inbox(a);
    const bInbox = new Inbox(b);
    await Promise.all([a.connect(), b.connect()]);

    const aSends: Promise<unknown>[] = [];
    const bSends: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      aSends.push(a.send(conversationId, `a${i}`));
      bSends.push(b.send(conversationId, `b${i}`));
      if (i % 8 === 0) await sleep(5);
    }
    const [aStored, bStored] = await Promise.all([Promise.all(aSends), Promise.all(bSends)]);
    await waitFor(
      () => aInbox.of(conversationId).length >= 80 && bInbox.of(conversationId).length >= 80,
      '80 messages each',
    );
    await sleep(200);

    const history = await fullHistory(a, conversationId);
    const contents = history.map((m) => m.content);
    assertExactlyOnceInOrder(aInbox.of(conversationId), contents, 1, 'alice');
    assertExactlyOnceInOrder(bInbox.of(conversationId), contents, 1, 'bob');
    // Each side's own sends kept their order, and the promises resolved with the stored messages.
    assert.deepEqual(
      contents.filter((c) => c.startsWith('a')),
      aSends.map((_, i) => `a${i}`),
    );
    assert.deepEqual(
      contents.filter((c) => c.startsWith('b')),
      bSends.map((_, i) => `b${i}`),
    );
    const seqs = (aStored as { seq: number }[]).map((m) => m.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
    );
    assert.equal(
      (bStored as { senderId: string }[]).every((m) => m.senderId === bob.user.id),
      true,
    );
  });

  it('replies keep their place: sends are stored in call order (the server alone would reorder them)', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const a = track(sdkClient(server, alice));
    await a.connect();
    const root = await a.send(conversationId, 'root');
    const sends: Promise<{ seq: number; content: string }>[] = [];
    for (let i = 0; i < 10; i++) {
      sends.push(a.send(conversationId, `reply ${i}`, { replyToId: root.id }));
      sends.push(a.send(conversationId, `plain ${i}`));
    }
    const stored = await Promise.all(sends);
    assert.deepEqual(
      stored.map((m) => m.seq),
      stored.map((_, i) => root.seq + 1 + i),
    );
  });

  it('a group of three: each member sees the same ordered stream, system message included', async () => {
    const [admin, m1, m2] = await Promise.all([server.api.user('adm'), server.api.user('mem'), server.api.user('mem')]);
    const groupId = await server.api.group(admin!, [m1!, m2!], 'climbing');
    const members = [admin!, m1!, m2!].map((user) => track(sdkClient(server, user)));
    const inboxes = members.map((client) => new Inbox(client));
    await Promise.all(members.map((client) => client.connect()));
    await Promise.all(
      members.flatMap((client, k) => Array.from({ length: 10 }, (_, i) => client.send(groupId, `${k}:${i}`))),
    );
    await waitFor(() => inboxes.every((inbox) => inbox.of(groupId).at(-1)?.seq === 31), 'seq 31 everywhere');
    await sleep(100);
    const contents = (await fullHistory(members[0]!, groupId)).map((m) => m.content);
    assert.equal(contents.length, 31);
    // No device of the creator acknowledged its own group_created (seq 1) yet, so it is replayed too.
    assertExactlyOnceInOrder(inboxes[0]!.of(groupId), contents, 1, 'admin');
    assertExactlyOnceInOrder(inboxes[1]!.of(groupId), contents, 1, 'member 1');
    assertExactlyOnceInOrder(inboxes[2]!.of(groupId), contents, 1, 'member 2');
    assert.equal(inboxes[1]!.of(groupId)[0]?.type, 'system');
  });

  it('REST helpers return typed DTOs and throw ChatApiError from the error body', async () => {
    const name = `sdk_rest_${process.pid}`;
    const { user, token } = await ChatClient.register(server.url, {
      username: name,
      password: 'correct horse battery',
    });
    assert.equal(user.username, name);
    await assert.rejects(
      ChatClient.register(server.url, { username: name, password: 'correct horse battery' }),
      (e: unknown) => e instanceof ChatApiError && e.status === 409 && e.code === 'username_taken',
    );
    await assert.rejects(
      ChatClient.login(server.url, { username: name, password: 'wrong password' }),
      (e: unknown) => e instanceof ChatApiError && e.status === 401 && e.code === 'unauthorized',
    );
    assert.ok((await ChatClient.login(server.url, { username: name, password: 'correct horse battery' })).token);

    const other = await server.api.user('peer');
    const client = track(new ChatClient({ baseUrl: server.url, token }));
    assert.equal((await client.me()).user.id, user.id);
    const direct = await client.openDirect(other.user.id);
    assert.equal(direct.type, 'direct');
    const sent = await client.sendRest(direct.id, 'over rest', { clientMsgId: 'rest-1' });
    assert.equal((await client.sendRest(direct.id, 'over rest', { clientMsgId: 'rest-1' })).id, sent.id, 'idempotent');
    await client.sendRest(direct.id, 'climbing tonight');
    const page = await client.history(direct.id, { after: 0 });
    assert.deepEqual(
      page.messages.map((m) => m.content),
      ['over rest', 'climbing tonight'],
    );
    assert.equal(page.hasMore, false);
    const [summary] = await client.conversations();
    assert.equal(summary?.id, direct.id);
    assert.equal(summary?.lastMessage?.content, 'climbing tonight');
    assert.deepEqual(
      (await client.search('climb')).messages.map((m) => m.content),
      ['climbing tonight'],
    );
    assert.deepEqual(await client.read(sent.id), { conversationId: direct.id, seq: 1 });
    assert.equal((await client.receipts(sent.id))[0]?.userId, other.user.id);
    assert.equal((await client.editMessage(sent.id, 'edited')).content, 'edited');
    const group = await client.createGroup({ name: 'sdk group', memberIds: [other.user.id] });
    assert.equal((await client.updateGroup(group.id, { name: 'renamed' })).name, 'renamed');
    const third = await server.api.user('third');
    assert.equal((await client.addMember(group.id, third.user.id)).members.length, 3);
    assert.equal(
      (await client.setRole(group.id, third.user.id, 'admin')).members.find((m) => m.userId === third.user.id)?.role,
      'admin',
    );
    assert.equal((await client.removeMember(group.id, third.user.id)).members.length, 2);
    assert.equal((await client.user(other.user.id)).id, other.user.id);
    await client.addContact(other.user.id);
    assert.deepEqual(
      (await client.contacts()).map((u) => u.id),
      [other.user.id],
    );
    await assert.rejects(
      client.conversation('nope'),
      (e: unknown) => e instanceof ChatApiError && e.status === 404 && e.code === 'not_found',
    );
    await assert.rejects(
      client.history(direct.id, { before: 2, after: 1 }),
      (e: unknown) => e instanceof ChatApiError && e.code === 'invalid_request',
    );
  });

  it('delivery and read receipts, and typing, reach the other side as events', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const a = track(sdkClient(server, alice));
    const b = track(sdkClient(server, bob));
    const delivered: number[] = [];
    const read: number[] = [];
    const typing: boolean[] = [];
    a.on('delivered', (e) => delivered.push(e.seq));
    a.on('read', (e) => e.userId === bob.user.id && read.push(e.seq));
    a.on('typing', (e) => typing.push(e.typing));
    await Promise.all([a.connect(), b.connect()]);
    const bInbox = new Inbox(b);
    for (let i = 0; i < 3; i++) await a.send(conversationId, `hi ${i}`);
    await waitFor(() => delivered.at(-1) === 3, 'a cumulative delivered receipt for seq 3');
    b.markRead(conversationId, bInbox.of(conversationId).at(-1)?.seq ?? 0);
    await waitFor(() => read.at(-1) === 3, 'a read receipt');
    b.typing(conversationId);
    await waitFor(() => typing.length === 2, 'typing start then stop', 5000);
    assert.deepEqual(typing, [true, false]);
  });

  it('offline queueing: sends made while disconnected go out after connecting, in order', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const b = track(sdkClient(server, bob));
    const bInbox = new Inbox(b);
    await b.connect();
    const a = track(sdkClient(server, alice));
    const sends = Array.from({ length: 12 }, (_, i) => a.send(conversationId, `queued ${i}`));
    await sleep(100);
    assert.equal(a.pendingSends().length, 12);
    assert.equal((await fullHistory(b, conversationId)).length, 0, 'nothing went out while offline');
    await a.connect();
    const stored = await Promise.all(sends);
    assert.deepEqual(
      stored.map((m) => m.seq),
      stored.map((_, i) => i + 1),
    );
    assert.deepEqual(a.pendingSends(), []);
    const contents = stored.map((m) => m.content);
    await waitFor(() => bInbox.of(conversationId).length === 12, 'the receiver gets them');
    assertExactlyOnceInOrder(bInbox.of(conversationId), contents, 1, 'bob');
    // And while disconnected mid-session (the socket is cut and cannot come back at once).
    const control: SocketControl = { sockets: [] };
    const c = track(
      sdkClient(server, alice, { WebSocket: faultySockets(control), reconnect: { baseMs: 300, maxMs: 300 } }),
    );
    await c.connect();
    control.sockets[0]?.cut();
    await waitFor(() => c.state === 'connecting', 'the disconnect');
    const more = Array.from({ length: 5 }, (_, i) => c.send(conversationId, `later ${i}`));
    assert.equal(c.pendingSends().length, 5);
    assert.deepEqual(
      (await Promise.all(more)).map((m) => m.seq),
      [13, 14, 15, 16, 17],
    );
    await waitFor(() => bInbox.of(conversationId).length === 17, 'the receiver gets them');
    assertExactlyOnceInOrder(bInbox.of(conversationId), [...contents, ...more.map((_, i) => `later ${i}`)], 1, 'bob');
  });

  it('4401: a token the server refuses stops the client for good, without retrying', async () => {
    const foreign = await startTestServer({ CHAT_JWT_SECRET: 'another-secret-another-secret-another-secret-42' });
    try {
      const stranger = await foreign.api.user('stranger');
      const control: SocketControl = { sockets: [] };
      const client = track(sdkClient(server, stranger, { WebSocket: faultySockets(control) }));
      const closed: Array<{ code: number; reason: string }> = [];
      client.on('closed', (e) => closed.push(e));
      await assert.rejects(client.connect(), (e: unknown) => e instanceof ChatApiError && e.status === 401);
      await sleep(300);
      assert.deepEqual(closed, [{ code: 4401, reason: 'unauthorized' }]);
      assert.equal(control.sockets.length, 1, 'it retried');
      assert.equal(client.state, 'closed');
    } finally {
      await foreign.close();
    }
  });
});
