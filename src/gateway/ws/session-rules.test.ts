/**
 * Rules of one connection's session: sends stored in the order they were
 * sent, refused frames naming the send, and the close at token expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { CLOSE_CODES } from '../../protocol/frames.js';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { WsClient } from '../../testing/ws.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';

describe('session rules', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ CHAT_JWT_SECRET: SECRET });
  });
  after(() => server.close());

  it('stores pipelined sends of one connection in the order they were sent', async () => {
    const [alice, bob] = [await server.api.user('pipe'), await server.api.user('pipe')];
    const conversationId = await server.api.direct(alice, bob);
    const first = await server.api.send(bob, conversationId, 'to reply to');
    const ws = await WsClient.ready(server.url, alice.token);
    // The first frame takes the slower path (a reply-to lookup); the others are plain.
    const ids = Array.from({ length: 20 }, (_, i) => `pipelined-${i}`);
    for (const [i, clientMsgId] of ids.entries()) {
      ws.send({
        type: 'message:send',
        clientMsgId,
        conversationId,
        content: `message ${i}`,
        ...(i === 0 ? { replyToId: first.body.message.id } : {}),
      });
    }
    await ws.until(
      (frames) => frames.filter((f) => f.type === 'message:ack').length === ids.length,
      10_000,
      'all acks',
    );
    const acks = ws.all('message:ack');
    const seqOf = new Map(acks.map((a) => [a.clientMsgId, a.message.seq]));
    const seqs = ids.map((id) => seqOf.get(id));
    assert.deepEqual(
      seqs,
      [...(seqs as number[])].sort((a, b) => a - b),
      'seqs follow the order of sending',
    );
    await ws.close();
  });

  it('names the clientMsgId of a send refused by validation', async () => {
    const [alice, bob] = [await server.api.user('refused'), await server.api.user('refused')];
    const conversationId = await server.api.direct(alice, bob);
    const ws = await WsClient.ready(server.url, alice.token);
    ws.send({ type: 'message:send', clientMsgId: 'bad-one', conversationId, content: 42 });
    const error = await ws.next('error', (f) => f.clientMsgId === 'bad-one');
    assert.equal(error.code, 'invalid_request');
    await ws.close();
  });

  it('closes with 4401 when the token expires', async () => {
    const alice = await server.api.user('expiry');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(alice.user.id)
      .setIssuer('chat-server')
      .setAudience('chat-client')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(new TextEncoder().encode(SECRET));
    const ws = await WsClient.connect(server.url, token);
    await ws.next('hello');
    assert.equal(await ws.closedWithin(5000), CLOSE_CODES.unauthorized);
  });
});
