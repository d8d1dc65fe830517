/**
 * Forwarding over REST and the WebSocket, on SQLite and on PostgreSQL: the copies, their
 * media reachable by the target's members without a new upload, idempotency,
 * and the authorization of the source and of every target.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../protocol/dto.js';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../../store/postgres/test-support.js';
import { download, uploaded } from '../../testing/media-client.js';
import { png } from '../../testing/media-fixtures.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient } from '../../testing/ws.js';

const postgresDown = await unreachableReason(DATABASE_URL);

for (const engine of ['sqlite', 'postgres'] as const) {
  const skip =
    engine === 'postgres' && postgresDown !== null && !process.env.CI
      ? `PostgreSQL unreachable (${postgresDown})`
      : false;
  describe(`forwarding (${engine})`, { skip }, () => {
    let server: TestServer;
    let schema: string | undefined;
    before(async () => {
      if (engine === 'postgres') {
        schema = await createSchema(DATABASE_URL);
        server = await startTestServer({ DATABASE_URL, CHAT_DATABASE_SCHEMA: schema, CHAT_DATABASE_POOL_SIZE: '4' });
      } else {
        server = await startTestServer();
      }
    });
    after(async () => {
      await server?.close();
      if (schema) await dropSchema(DATABASE_URL, schema);
    });

    const forward = (user: TestUser, messageId: string, targets: { conversationId: string; clientMsgId: string }[]) =>
      server.api.request('POST', `/api/v1/messages/${messageId}/forward`, { token: user.token, body: { targets } });
    const target = (conversationId: string) => ({ conversationId, clientMsgId: randomUUID() });
    const lastOf = async (user: TestUser, conversationId: string): Promise<Message | undefined> => {
      const res = await server.api.request('GET', `/api/v1/conversations/${conversationId}/messages`, {
        token: user.token,
      });
      return res.body.messages.at(-1);
    };

    /** alice and bob in a group where alice posted a photo; bob's chats with carol and with erin; dave outside. */
    // Registered once per engine (password hashing is the costly part); each test gets a fresh group and photo.
    let people: Promise<TestUser[]> | undefined;
    async function world() {
      people ??= Promise.all(['f_alice', 'f_bob', 'f_carol', 'f_dave', 'f_erin'].map((n) => server.api.user(n)));
      const [alice, bob, carol, dave, erin] = await people;
      if (!alice || !bob || !carol || !dave || !erin) throw new Error('users');
      const groupId = await server.api.group(alice, [bob], 'Photos');
      const media = await uploaded(server, alice, {
        fileName: 'cat.png',
        type: 'image/png',
        bytes: await png(40, 30, `#${randomUUID().slice(0, 6)}`),
      });
      const sent = await server.api.request('POST', '/api/v1/messages', {
        token: alice.token,
        body: { conversationId: groupId, clientMsgId: randomUUID(), mediaId: media.id, content: 'look @f_bob' },
      });
      assert.equal(sent.status, 201);
      const bobCarol = await server.api.direct(bob, carol);
      const bobErin = await server.api.direct(bob, erin);
      return { alice, bob, carol, dave, erin, groupId, media, photo: sent.body.message as Message, bobCarol, bobErin };
    }

    it('forwards a photo to several chats; their members fetch the same media, nobody else does', async () => {
      const w = await world();
      assert.equal((await download(server, w.carol, w.media.url)).status, 404, 'carol cannot see it before');
      const targets = [target(w.bobCarol), target(w.bobErin)];
      const res = await forward(w.bob, w.photo.id, targets);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const copies = res.body.messages as Message[];
      assert.deepEqual(
        copies.map((m) => [m.conversationId, m.clientMsgId, m.senderId, m.forwarded, m.type, m.content, m.media?.id]),
        targets.map((t) => [t.conversationId, t.clientMsgId, w.bob.user.id, true, 'image', 'look @f_bob', w.media.id]),
      );
      assert.equal(copies[0]?.mentions, undefined, 'a copy mentions nobody');
      assert.equal(copies[0]?.replyToId, null);

      const carolSees = await lastOf(w.carol, w.bobCarol);
      assert.equal(carolSees?.forwarded, true);
      const file = await download(server, w.carol, w.media.url);
      assert.equal(file.status, 200);
      assert.equal(file.bytes.length, w.media.size);
      assert.equal((await download(server, w.erin, `${w.media.url}/thumbnail`)).status, 200);
      assert.equal((await download(server, w.dave, w.media.url)).status, 404, 'an outsider still cannot');

      // The same clientMsgIds again: the same copies, nothing new posted.
      const again = await forward(w.bob, w.photo.id, targets);
      assert.equal(again.status, 200);
      assert.deepEqual(
        (again.body.messages as Message[]).map((m) => m.id),
        copies.map((m) => m.id),
      );
      assert.equal((await lastOf(w.carol, w.bobCarol))?.seq, copies[0]?.seq);
    });

    it('refuses a source the caller cannot read, and posts nothing', async () => {
      const w = await world();
      const daveCarol = await server.api.direct(w.dave, w.carol);
      const res = await forward(w.dave, w.photo.id, [target(daveCarol)]);
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
      assert.equal(await lastOf(w.dave, daveCarol), undefined);
      assert.equal((await download(server, w.carol, w.media.url)).status, 404);
    });

    it('refuses when any target does not accept the caller, before posting to the others', async () => {
      const w = await world();
      const carolDave = await server.api.direct(w.carol, w.dave);
      const seqBefore = (await lastOf(w.bob, w.bobCarol))?.seq;
      const notMine = await forward(w.bob, w.photo.id, [target(w.bobCarol), target(carolDave)]);
      assert.equal(notMine.status, 404);
      assert.equal((await lastOf(w.bob, w.bobCarol))?.seq, seqBefore, 'nothing posted to the allowed target');

      await server.api.request('PUT', `/api/v1/users/me/blocks/${w.bob.user.id}`, { token: w.erin.token });
      const blocked = await forward(w.bob, w.photo.id, [target(w.bobErin)]);
      assert.equal(blocked.status, 403);

      const adminsOnly = await server.api.group(w.carol, [w.bob], 'Announcements');
      await server.api.request('PATCH', `/api/v1/groups/${adminsOnly}`, {
        token: w.carol.token,
        body: { sendPolicy: 'admins' },
      });
      const policy = await forward(w.bob, w.photo.id, [target(adminsOnly)]);
      assert.equal(policy.status, 403);
      await server.api.request('DELETE', `/api/v1/users/me/blocks/${w.bob.user.id}`, { token: w.erin.token });
    });

    it('validates the targets: at most 5, each conversation and clientMsgId once', async () => {
      const w = await world();
      const six = Array.from({ length: 6 }, () => target(w.bobCarol));
      const tooMany = await forward(w.bob, w.photo.id, six);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.error.code, 'invalid_request');
      const twice = await forward(w.bob, w.photo.id, [target(w.bobCarol), target(w.bobCarol)]);
      assert.equal(twice.status, 400);
      assert.equal((await forward(w.bob, w.photo.id, [])).status, 400);
    });

    it('refuses a deleted message', async () => {
      const w = await world();
      await server.api.request('DELETE', `/api/v1/messages/${w.photo.id}`, { token: w.alice.token });
      const res = await forward(w.bob, w.photo.id, [target(w.bobCarol)]);
      assert.equal(res.status, 409);
    });

    it('forwards over the WebSocket: one message:ack per target; the recipients get a forwarded message:new', async () => {
      const w = await world();
      const bob = await WsClient.ready(server.url, w.bob.token);
      const carol = await WsClient.ready(server.url, w.carol.token);
      const targets = [target(w.bobCarol), target(w.bobErin)];
      bob.send({ type: 'message:forward', messageId: w.photo.id, targets, ref: 'fw1' });
      const acks = await Promise.all(
        targets.map((t) => bob.next('message:ack', (f) => f.clientMsgId === t.clientMsgId)),
      );
      assert.deepEqual(
        acks.map((a) => [a.message.conversationId, a.message.forwarded]),
        targets.map((t) => [t.conversationId, true]),
      );
      const live = await carol.next('message:new', (f) => f.message.id === acks[0]?.message.id);
      assert.equal(live.message.forwarded, true);
      assert.equal(live.message.media?.id, w.media.id);

      // A source the caller may not read: an error frame with the ref, nothing acknowledged.
      const dave = await WsClient.ready(server.url, w.dave.token);
      const daveCarol = await server.api.direct(w.dave, w.carol);
      dave.send({ type: 'message:forward', messageId: w.photo.id, targets: [target(daveCarol)], ref: 'fw2' });
      const refused = await dave.next('error', (f) => f.ref === 'fw2');
      assert.equal(refused.code, 'not_found');
      assert.equal(dave.all('message:ack').length, 0);
      await Promise.all([bob.close(), carol.close(), dave.close()]);
    });
  });
}
