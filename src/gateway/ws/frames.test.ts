/**
 * Malformed client frames (../shared/CONTRACT.md: "A malformed or unknown frame
 * gets {type: "error", code, message, ref?} and the connection stays open";
 * docs/PROTOCOL.md: frames over 64 KiB close with 1009, more than 20 malformed
 * frames a minute close with 1008).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { type Frame, WsClient } from '../../testing/ws.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let conversationId: string;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([server.api.user('frames_a'), server.api.user('frames_b')]);
  conversationId = await server.api.direct(alice, bob);
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.close();
});

async function connect(user: TestUser = alice): Promise<WsClient> {
  const client = await WsClient.ready(server.url, user.token);
  open.push(client);
  return client;
}

type ErrorFrame = Extract<Frame, { type: 'error' }>;

/** Sends one bad frame and returns the error frame it got; the connection must still answer a ping. */
async function rejects(client: WsClient, send: () => void, what: string): Promise<ErrorFrame> {
  const before = client.all('error').length;
  send();
  await client.until(() => client.all('error').length > before, 5000, `error frame for ${what}`);
  const error = client.all('error')[before] as ErrorFrame;
  assert.equal(error.code, 'invalid_request', `${what}: code`);
  assert.equal(typeof error.message, 'string', `${what}: message`);
  assert.ok(error.message.length > 0, `${what}: message is not empty`);
  await client.ping();
  assert.ok(client.isOpen, `${what}: the connection stays open`);
  return error;
}

describe('origin without an allow-list', () => {
  it('accepts any Origin when CHAT_ALLOWED_ORIGINS is empty', async () => {
    const client = await WsClient.ready(server.url, alice.token, { headers: { origin: 'https://anywhere.example' } });
    open.push(client);
    await client.ping();
    await client.close();
  });
});

describe('malformed frames', () => {
  it('answers non-JSON text with an error and stays open', async () => {
    const client = await connect();
    for (const text of ['hello', '{"type":', '', '{"type":"ping"}{"type":"ping"}', 'null']) {
      await rejects(client, () => client.sendRaw(text), `text ${JSON.stringify(text)}`);
    }
    await client.close();
  });

  it('answers JSON that is not an object with an error', async () => {
    const client = await connect();
    for (const value of ['[]', '42', '"ping"', 'true', '[{"type":"ping"}]']) {
      await rejects(client, () => client.sendRaw(value), value);
    }
    await client.close();
  });

  it('answers a binary frame with an error', async () => {
    const client = await connect();
    await rejects(client, () => client.sendRaw(Buffer.from([0, 1, 2, 255]), { binary: true }), 'binary bytes');
    // Even valid JSON is refused as a binary frame: the protocol is text frames.
    const error = await rejects(
      client,
      () => client.sendRaw(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true }),
      'binary JSON',
    );
    assert.ok(error);
    await client.close();
  });

  it('closes with 1007 for a text frame that is not UTF-8 (RFC 6455 requires failing the connection)', async () => {
    const client = await connect();
    client.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    assert.equal(await client.closedWithin(5000), 1007);
  });

  it('answers an unknown or missing type with an error', async () => {
    const client = await connect();
    for (const frame of [
      { type: 'message:explode' },
      { type: 'PING' },
      {},
      { kind: 'ping' },
      { type: 42 },
      { type: null },
    ]) {
      await rejects(client, () => client.send(frame), JSON.stringify(frame));
    }
    await client.close();
  });

  it('answers missing fields with an error', async () => {
    const client = await connect();
    const frames = [
      { type: 'message:send', conversationId, content: 'no clientMsgId' },
      { type: 'message:send', clientMsgId: 'c-missing-conv', content: 'no conversation' },
      { type: 'message:received', conversationId },
      { type: 'message:read', seq: 1 },
      { type: 'typing:start' },
      { type: 'presence:set' },
    ];
    for (const frame of frames) await rejects(client, () => client.send(frame), JSON.stringify(frame));
    await client.close();
  });

  it('answers fields of the wrong type or out of range with an error', async () => {
    const client = await connect();
    const frames = [
      { type: 'message:send', clientMsgId: 42, conversationId, content: 'x' },
      { type: 'message:send', clientMsgId: 'c-wrong-content', conversationId, content: { text: 'x' } },
      { type: 'message:send', clientMsgId: '', conversationId, content: 'empty clientMsgId' },
      { type: 'message:send', clientMsgId: 'c-bad-type', conversationId, content: 'x', messageType: 'system' },
      { type: 'message:send', clientMsgId: 'c-bad-conv', conversationId: '../../etc', content: 'x' },
      { type: 'message:received', conversationId, seq: '3' },
      { type: 'message:received', conversationId, seq: -1 },
      { type: 'message:received', conversationId, seq: 1.5 },
      { type: 'message:read', conversationId, seq: Number.MAX_SAFE_INTEGER + 2 },
      { type: 'presence:set', status: 'offline' },
      { type: 'sync', conversations: [conversationId] },
      { type: 'sync', conversations: { [conversationId]: 'latest' } },
    ];
    for (const frame of frames) await rejects(client, () => client.send(frame), JSON.stringify(frame));
    await client.close();
  });

  it('echoes the ref of a malformed frame that carries one', async () => {
    const client = await connect();
    const error = await rejects(
      client,
      () => client.send({ type: 'sync', conversations: 7, ref: 'r-42' }),
      'sync with ref',
    );
    assert.equal(error.ref, 'r-42');
    await client.close();
  });

  it('stores nothing for a malformed message:send', async () => {
    const client = await connect();
    await rejects(
      client,
      () => client.send({ type: 'message:send', clientMsgId: 'c-never', conversationId, content: 7 }),
      'content as a number',
    );
    const history = await server.api.request('GET', `/api/v1/conversations/${conversationId}/messages`, {
      token: alice.token,
    });
    assert.equal(history.status, 200);
    assert.ok(
      !history.body.messages.some((m: { clientMsgId: string }) => m.clientMsgId === 'c-never'),
      'no message was stored',
    );
    await client.close();
  });

  it('closes the connection with 1009 for a frame over 64 KiB (the protocol frame limit), not an error frame', async () => {
    const client = await connect();
    // 65 KiB: refused by size before any parsing (docs/PROTOCOL.md: "larger ones close the connection with 1009").
    client.send({ type: 'ping', padding: 'x'.repeat(65 * 1024) });
    assert.equal(await client.closedWithin(5000), 1009);
    assert.equal(client.all('pong').length, 0);
    assert.equal(client.all('error').length, 0, 'no error frame: the connection is closed instead');
    // Only that connection is affected: the user connects again and is served.
    const again = await connect();
    await again.ping();
    await again.close();
  });

  it('accepts a frame just under 64 KiB', async () => {
    const client = await connect();
    // A ping padded with an unknown field: still one valid frame of the protocol's largest size.
    const padding = 'p'.repeat(64 * 1024 - 64);
    client.send({ type: 'ping', padding });
    await client.next('pong');
    assert.ok(client.isOpen);
    await client.close();
  });

  it('closes with 1008 after more than 20 malformed frames in a minute', async () => {
    const client = await connect();
    for (let i = 0; i < 20; i += 1) client.sendRaw(`garbage ${i}`);
    await client.until(() => client.all('error').length === 20, 5000, '20 error frames');
    // Twenty are tolerated: the connection still works.
    await client.ping();
    assert.ok(client.isOpen);
    client.sendRaw('one too many');
    assert.equal(await client.closedWithin(5000), 1008);
    assert.equal(client.all('error').length, 21, 'the 21st bad frame is answered too, then the connection closes');
  });

  it('counts malformed frames per connection', async () => {
    const flooding = await connect();
    const calm = await connect();
    for (let i = 0; i < 21; i += 1) flooding.sendRaw(`garbage ${i}`);
    assert.equal(await flooding.closedWithin(5000), 1008);
    // The user's other connection is not punished.
    calm.sendRaw('one bad frame');
    await calm.next('error');
    await calm.ping();
    assert.ok(calm.isOpen);
    await calm.close();
  });
});
