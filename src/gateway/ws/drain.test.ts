/**
 * Draining (../shared/CONTRACT.md, "Running it": "SIGTERM drains: no new
 * connections, in-flight sends finish and are acknowledged"; docs/PROTOCOL.md,
 * close code 1001): `node.close()` while a client's sends are in flight. Every
 * send that got a message:ack is stored (checked by a new node on the same data
 * folder), every stored send was acknowledged, and connections close with 1001.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import type { Message } from '../../protocol/dto.js';
import { startTestServer, type TestServer, type TestUser, tempDir } from '../../testing/server.js';
import { HandshakeRefused, WsClient, waitFor } from '../../testing/ws.js';

const folders: string[] = [];
const servers: TestServer[] = [];

after(async () => {
  for (const s of servers) await s.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function serverOn(dataDir: string): Promise<TestServer> {
  const s = await startTestServer({ CHAT_DATA_DIR: dataDir });
  servers.push(s);
  return s;
}

async function allMessages(s: TestServer, user: TestUser, conversationId: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const res = await s.api.request(
      'GET',
      `/api/v1/conversations/${conversationId}/messages?limit=200&after=${messages.length}`,
      {
        token: user.token,
      },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    messages.push(...res.body.messages);
    if (!res.body.hasMore) return messages;
  }
}

describe('drain', () => {
  it('finishes and acknowledges in-flight sends, stores every acknowledged one, and closes with 1001', async () => {
    const dataDir = await tempDir('chat-drain-');
    folders.push(dataDir);
    const first = await serverOn(dataDir);
    const [alice, bob] = await Promise.all([first.api.user('drain_a'), first.api.user('drain_b')]);
    const direct = await first.api.direct(alice, bob);
    const sender = await WsClient.ready(first.url, alice.token);
    const receiver = await WsClient.ready(first.url, bob.token);

    const count = 300;
    const ids = Array.from({ length: count }, (_, i) => `drain-${i}`);
    // Shut down at the moment the server starts storing the first send, so sends are in flight:
    // some are being stored, others are still unread in the socket. Storage is made slow (each
    // append answers 100 ms late), so frames also arrive while the drain waits for the in-flight ones.
    const store = first.node.storage.messages;
    const append = store.append.bind(store);
    let closing: Promise<void> | undefined;
    store.append = async (draft) => {
      const result = append(draft);
      closing ??= first.node.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return result;
    };
    for (const [i, clientMsgId] of ids.entries()) {
      sender.send({ type: 'message:send', clientMsgId, conversationId: direct, content: `in flight ${i}` });
      // Several socket writes, so the server reads them in several chunks.
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor('the drain to start', () => (closing ? true : undefined));
    // No new connections while draining.
    const refused = await WsClient.connect(first.url, bob.token).then(
      async (client) => {
        await client.close();
        return 'accepted';
      },
      (error: unknown) => (error instanceof HandshakeRefused ? error.status : 'connection refused'),
    );
    assert.ok(refused === 503 || refused === 'connection refused', `a new connection during the drain: ${refused}`);

    assert.equal(await sender.closedWithin(15_000), 1001, 'the sender is told the server is going away');
    assert.equal(await receiver.closedWithin(15_000), 1001, 'so is every other connection');
    await closing;
    servers.splice(servers.indexOf(first), 1);

    const acks = sender.all('message:ack');
    const errors = sender.all('error');
    assert.ok(acks.length > 0, 'the sends in flight when the drain began were acknowledged');
    assert.ok(errors.length > 0, 'sends read during the drain were refused');
    const acked = new Map(acks.map((a) => [a.clientMsgId, a.message]));
    assert.equal(acked.size, acks.length, 'one ack per send');
    for (const error of errors) {
      assert.equal(
        error.code,
        'unavailable',
        `refused sends say the server is shutting down (${JSON.stringify(error)})`,
      );
      assert.ok(error.clientMsgId && !acked.has(error.clientMsgId), 'a refused send was not also acknowledged');
    }

    // A new node on the same folder: everything acknowledged is there, and nothing unacknowledged.
    const second = await serverOn(dataDir);
    const stored = await allMessages(second, alice, direct);
    const storedByClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
    for (const [clientMsgId, message] of acked) {
      const found = storedByClientId.get(clientMsgId);
      assert.ok(found, `acknowledged ${clientMsgId} (seq ${message.seq}) is stored`);
      assert.equal(found.id, message.id);
      assert.equal(found.seq, message.seq);
    }
    for (const message of stored) {
      assert.ok(acked.has(message.clientMsgId), `stored ${message.clientMsgId} was acknowledged before the close`);
    }
    assert.deepEqual(
      stored.map((m) => m.seq),
      Array.from({ length: stored.length }, (_, i) => i + 1),
      'dense seqs',
    );
    // Every send is accounted for: acknowledged, refused, or never read by the server (to be resent).
    assert.ok(acks.length + errors.length <= count);

    // The client resends what was not acknowledged to the new node: idempotent, nothing doubles.
    const resender = await WsClient.ready(second.url, alice.token);
    for (const clientMsgId of ids) {
      const i = ids.indexOf(clientMsgId);
      const ack = await resender.sendMessage(direct, `in flight ${i}`, clientMsgId);
      const earlier = acked.get(clientMsgId);
      if (earlier) assert.equal(ack.message.id, earlier.id, `${clientMsgId} answered with the first message`);
    }
    const final = await allMessages(second, alice, direct);
    assert.equal(final.length, count, 'each clientMsgId stored once');
    await resender.close();
  });
});
