/**
 * Connection limits (docs/PROTOCOL.md, "Connecting" and "Slow consumers"): the
 * per-address cap (CHAT_MAX_CONNECTIONS_PER_IP → HTTP 429), and the bounded
 * send queue: a client that stops reading is closed with 4500 once more than
 * CHAT_WS_MAX_BUFFERED_BYTES wait for it, and its messages are replayed when it
 * reconnects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { HandshakeRefused, WsClient, waitFor } from '../../testing/ws.js';

const MAX_PER_IP = 3;
const MAX_BUFFERED = 64 * 1024;

let server: TestServer;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer({
    CHAT_MAX_CONNECTIONS_PER_IP: String(MAX_PER_IP),
    CHAT_WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
  });
});
after(async () => {
  for (const client of open) client.resume();
  await Promise.all(open.map((c) => c.close()));
  await server.close();
});

async function connect(user: TestUser, deviceId?: string): Promise<WsClient> {
  const client = await WsClient.ready(server.url, user.token, deviceId ? { deviceId } : {});
  open.push(client);
  return client;
}

async function refusal(connecting: Promise<WsClient>): Promise<number> {
  try {
    open.push(await connecting);
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
  assert.fail('the handshake was accepted');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

const connections = () => server.node.gateway.registry.size;

describe('per-address connection cap (CHAT_MAX_CONNECTIONS_PER_IP=3)', () => {
  it('refuses one connection too many from the same address with 429, whatever the user', async () => {
    const people = await Promise.all(range(1, MAX_PER_IP + 1).map((i) => server.api.user(`ipcap_${i}`)));
    const clients: WsClient[] = [];
    for (const person of people.slice(0, MAX_PER_IP)) clients.push(await connect(person));
    assert.equal(await refusal(WsClient.connect(server.url, (people[MAX_PER_IP] as TestUser).token)), 429);
    assert.equal(await refusal(WsClient.connect(server.url, (people[0] as TestUser).token)), 429);
    await Promise.all(clients.map((c) => c.ping()));
    // A slot frees when one closes.
    await (clients[0] as WsClient).close();
    await waitFor('the closed connection to leave the registry', () => (connections() < MAX_PER_IP ? true : undefined));
    const late = await connect(people[MAX_PER_IP] as TestUser);
    await late.ping();
    await Promise.all([...clients, late].map((c) => c.close()));
    await waitFor('every connection to close', () => (connections() === 0 ? true : undefined));
  });
});

describe(`slow consumers (CHAT_WS_MAX_BUFFERED_BYTES=${MAX_BUFFERED})`, () => {
  it('closes a client that stops reading with 4500, and replays everything when it reconnects', async () => {
    const [alice, bob] = await Promise.all([server.api.user('slow_a'), server.api.user('slow_b')]);
    const direct = await server.api.direct(alice, bob);
    const sender = await connect(alice);
    const reader = await connect(bob, 'slow-device');
    reader.pause();
    const content = 'z'.repeat(60_000);
    // Large messages until the server gives up on the reader (the kernel's socket buffers fill first).
    let sent = 0;
    const readerGone = () => server.node.gateway.registry.countForUser(bob.user.id) === 0;
    // The server terminates a peer that does not complete the closing handshake within 2 s: the
    // reader reads again as soon as the server has let it go, to receive the close frame.
    const watch = setInterval(() => {
      if (readerGone()) reader.resume();
    }, 5);
    try {
      while (!readerGone() && sent < 600) {
        await Promise.all(range(1, 10).map((i) => sender.sendMessage(direct, `${sent + i} ${content}`)));
        sent += 10;
      }
    } finally {
      clearInterval(watch);
    }
    assert.ok(readerGone(), `the server still holds the reader after ${sent} messages of 60 KB`);
    const slowConsumerMetric = (await server.node.metrics.slowConsumerDisconnects.get()).values[0]?.value;
    assert.equal(slowConsumerMetric, 1, 'counted as a slow consumer');
    // Reading again, the client gets what was queued and then the close frame.
    reader.resume();
    assert.equal(await reader.closedWithin(10_000), 4500);
    const before = reader.seqs(direct);
    assert.ok(before.length < sent, `${before.length} of ${sent} reached the reader before the close`);
    assert.deepEqual(before, range(1, before.length), 'what did arrive is in order, without gaps');
    // More messages while it is away.
    for (let i = 0; i < 5; i += 1) await sender.sendMessage(direct, `while away ${i}`);
    const total = sent + 5;
    // Reconnecting, the outbox replays every message (none was acknowledged), paced so it is not cut off again.
    const again = await connect(bob, 'slow-device');
    assert.deepEqual(again.seqs(direct), range(1, total), 'every message, in order, before sync:done');
    assert.ok(again.isOpen, 'the replay did not trip the limit');
    const live = await sender.sendMessage(direct, 'live after replay');
    await again.next('message:new', (f) => f.message.id === live.message.id);
    assert.deepEqual(again.seqs(direct), range(1, total + 1));
    await Promise.all([sender.close(), again.close()]);
  });

  it('does not close a client that reads, however much it is sent over time', async () => {
    const [alice, bob] = await Promise.all([server.api.user('fast_a'), server.api.user('fast_b')]);
    const direct = await server.api.direct(alice, bob);
    const sender = await connect(alice);
    const reader = await connect(bob);
    const content = 'y'.repeat(60_000);
    // 6 MB in all, one message at a time (a single burst larger than the limit may trip it by design).
    for (let i = 0; i < 100; i += 1) await sender.sendMessage(direct, content);
    await reader.waitForMessages(direct, 100);
    assert.ok(reader.isOpen);
    assert.deepEqual(reader.seqs(direct), range(1, 100));
    await Promise.all([sender.close(), reader.close()]);
  });
});
