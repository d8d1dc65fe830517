/** The SDK against the real server when things break: restarts, cut sockets, reloads, silent links. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, tempDir } from '../src/testing/server.js';
import type { ChatClient } from './client.js';
import type { Message } from './protocol.js';
import {
  assertExactlyOnceInOrder,
  faultySockets,
  fullHistory,
  Inbox,
  memoryStorage,
  type SocketControl,
  sdkClient,
  sleep,
  waitFor,
} from './testkit.js';

const SECRET = 'sdk-restart-secret-sdk-restart-secret-0123456789';

/** Every message stored exactly once, in the order sent, with distinct clientMsgIds. */
async function assertStoredOnce(client: ChatClient, conversationId: string, contents: string[], stored: Message[]) {
  const history = await fullHistory(client, conversationId);
  assert.deepEqual(
    history.map((m) => m.content),
    contents,
    'the history differs from what was sent',
  );
  assert.equal(new Set(history.map((m) => m.clientMsgId)).size, history.length, 'a clientMsgId stored twice');
  assert.deepEqual(
    stored.map((m) => m.id),
    history.map((m) => m.id),
    'a send resolved with another message',
  );
}

describe('ChatClient resilience', () => {
  const clients: ChatClient[] = [];
  const track = (client: ChatClient) => {
    clients.push(client);
    return client;
  };
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('a server restart mid-conversation: nothing lost, nothing duplicated, order kept', async () => {
    const dataDir = await tempDir('sdk-restart-');
    const env = { CHAT_DATA_DIR: dataDir, CHAT_JWT_SECRET: SECRET };
    let node = await startTestServer(env);
    const port = new URL(node.url).port;
    try {
      const alice = await node.api.user('alice');
      const bob = await node.api.user('bob');
      const conversationId = await node.api.direct(alice, bob);
      const a = track(sdkClient(node, alice));
      const b = track(sdkClient(node, bob));
      const aInbox = new Inbox(a);
      const bInbox = new Inbox(b);
      const drops = { a: 0, b: 0 };
      a.on('disconnected', () => drops.a++);
      b.on('disconnected', () => drops.b++);
      await Promise.all([a.connect(), b.connect()]);

      const total = 60;
      const sends: Promise<Message>[] = [];
      const pump = (async () => {
        for (let i = 0; i < total; i++) {
          sends.push(a.send(conversationId, `m${i}`));
          await sleep(8);
        }
      })();
      await waitFor(() => bInbox.of(conversationId).length >= 12, 'the stream to start');
      await node.close();
      await sleep(150);
      const queuedWhileDown = a.pendingSends().length;
      node = await startTestServer({ ...env, PORT: port });
      await pump;
      const stored = await Promise.all(sends);
      await waitFor(
        () => bInbox.of(conversationId).length >= total && aInbox.of(conversationId).length >= total,
        'all messages',
      );
      await sleep(300);

      const contents = Array.from({ length: total }, (_, i) => `m${i}`);
      assertExactlyOnceInOrder(bInbox.of(conversationId), contents, 1, 'receiver');
      assertExactlyOnceInOrder(aInbox.of(conversationId), contents, 1, 'sender');
      assert.deepEqual(
        stored.map((m) => m.seq),
        contents.map((_, i) => i + 1),
      );
      await assertStoredOnce(a, conversationId, contents, stored);
      assert.ok(drops.a >= 1 && drops.b >= 1, 'the restart did not disconnect the clients');
      assert.ok(queuedWhileDown >= 5, `only ${queuedWhileDown} sends queued while the server was down`);
    } finally {
      await node.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a socket dropped right after send frames: each message stored once, received once in order', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    let sendFrames = 0;
    let acks = 0;
    const control: SocketControl = {
      sockets: [],
      // Cut right after a send frame went out (stored or not, the ack is lost)…
      cutAfterSend: (frame) => frame.type === 'message:send' && ++sendFrames % 7 === 4,
      // …and instead of delivering an ack (certainly stored, the ack is lost).
      cutOnReceive: (frame) => frame.type === 'message:ack' && ++acks % 9 === 5,
    };
    const a = track(sdkClient(server, alice, { WebSocket: faultySockets(control) }));
    const b = track(sdkClient(server, bob));
    const bInbox = new Inbox(b);
    await Promise.all([a.connect(), b.connect()]);

    const total = 30;
    const contents = Array.from({ length: total }, (_, i) => `drop ${i}`);
    const sends = contents.map((content) => a.send(conversationId, content));
    const ids = a.pendingSends().map((p) => p.clientMsgId);
    const stored = await Promise.all(sends);
    await waitFor(() => bInbox.of(conversationId).length >= total, 'the receiver gets all');
    await sleep(300);

    assert.ok(control.sockets.length >= 4, `only ${control.sockets.length} sockets: the cuts did not happen`);
    const sentIds = control.sockets.flatMap((s) =>
      s.sent.filter((f) => f.type === 'message:send').map((f) => f.clientMsgId),
    );
    assert.ok(sentIds.length > total, 'nothing was retried');
    assert.deepEqual([...new Set(sentIds)], ids, 'retries used other clientMsgIds, or went out of order');
    assert.deepEqual(
      stored.map((m) => m.clientMsgId),
      ids,
    );
    assertExactlyOnceInOrder(bInbox.of(conversationId), contents, 1, 'receiver');
    await assertStoredOnce(a, conversationId, contents, stored);
  });

  it('both sides sending through repeated cuts: one shared order, exactly once', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const controls: SocketControl[] = [0, 1].map((k) => {
      let frames = 0;
      return { sockets: [], cutOnReceive: (f) => f.type.startsWith('message:') && ++frames % (11 + k * 6) === 0 };
    });
    const a = track(sdkClient(server, alice, { WebSocket: faultySockets(controls[0]!) }));
    const b = track(sdkClient(server, bob, { WebSocket: faultySockets(controls[1]!) }));
    const [aInbox, bInbox] = [new Inbox(a), new Inbox(b)];
    await Promise.all([a.connect(), b.connect()]);
    const sends: Promise<Message>[] = [];
    for (let i = 0; i < 25; i++) {
      sends.push(a.send(conversationId, `a${i}`), b.send(conversationId, `b${i}`));
      await sleep(3);
    }
    await Promise.all(sends);
    await waitFor(
      () => aInbox.of(conversationId).length >= 50 && bInbox.of(conversationId).length >= 50,
      'both get all',
    );
    await sleep(300);
    const contents = (await fullHistory(a, conversationId)).map((m) => m.content);
    assert.equal(contents.length, 50);
    assertExactlyOnceInOrder(aInbox.of(conversationId), contents, 1, 'alice');
    assertExactlyOnceInOrder(bInbox.of(conversationId), contents, 1, 'bob');
    assert.ok(
      controls.every((c) => c.sockets.length > 1),
      'the cuts did not happen',
    );
  });

  it('a page reload mid-send: the stored outbox resumes with the same clientMsgIds', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const storage = memoryStorage();
    // Every ack is lost and the old page does not come back before the reload.
    const control: SocketControl = { sockets: [], cutOnReceive: (f) => f.type === 'message:ack' };
    const before = track(
      sdkClient(server, alice, {
        storage,
        WebSocket: faultySockets(control),
        reconnect: { baseMs: 60_000, maxMs: 60_000 },
      }),
    );
    await before.connect();
    void before.send(conversationId, 'r0');
    await waitFor(() => control.sockets[0]?.readyState === 3, 'the cut');
    void before.send(conversationId, 'r1');
    void before.send(conversationId, 'r2');
    const ids = before.pendingSends().map((p) => p.clientMsgId);
    assert.equal((await fullHistory(before, conversationId)).length, 1, 'r0 was stored before the cut');
    before.close();

    const b = track(sdkClient(server, bob));
    const bInbox = new Inbox(b);
    await b.connect();
    const reloaded = track(sdkClient(server, alice, { storage }));
    assert.equal(reloaded.deviceId, before.deviceId);
    assert.deepEqual(
      reloaded.pendingSends().map((p) => p.clientMsgId),
      ids,
    );
    const acked: Message[] = [];
    reloaded.on('sendAcked', ({ message }) => acked.push(message));
    await reloaded.connect();
    await waitFor(() => acked.length === 3, 'three acks');
    assert.deepEqual(
      acked.map((m) => m.clientMsgId),
      ids,
    );
    await waitFor(() => bInbox.of(conversationId).length >= 3, 'the receiver gets them');
    await sleep(200);
    assertExactlyOnceInOrder(bInbox.of(conversationId), ['r0', 'r1', 'r2'], 1, 'receiver');
    await assertStoredOnce(reloaded, conversationId, ['r0', 'r1', 'r2'], acked);
  });

  it('a silent connection is dropped after two heartbeat intervals; what it missed arrives once', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const control: SocketControl = { sockets: [] };
    const a = track(sdkClient(server, alice, { WebSocket: faultySockets(control), heartbeatIntervalMs: 100 }));
    const b = track(sdkClient(server, bob));
    const aInbox = new Inbox(a);
    await Promise.all([a.connect(), b.connect()]);
    await b.send(conversationId, 'before');
    await waitFor(() => aInbox.of(conversationId).length === 1, 'the first message');
    control.blackhole = true;
    const dropped = new Promise<{ code: number }>((resolve) => a.once('disconnected', resolve));
    for (const content of ['during 1', 'during 2']) await b.send(conversationId, content);
    assert.equal((await dropped).code, 4000);
    control.blackhole = false;
    await waitFor(() => a.state === 'open', 'the reconnect');
    await b.send(conversationId, 'after');
    await waitFor(() => aInbox.of(conversationId).length >= 4, 'all four');
    await sleep(200);
    assertExactlyOnceInOrder(aInbox.of(conversationId), ['before', 'during 1', 'during 2', 'after'], 1, 'alice');
  });
});
