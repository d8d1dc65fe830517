/**
 * Mentions end to end on a node over SQLite and over PostgreSQL: real HTTP, WebSockets,
 * and the local Web Push service of the push tests for the notifications.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { ConversationSummary, Message } from '../protocol/dto.js';
import { LocalPushService, sleep } from '../push/testing/push-service.js';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { startTestServer, type TestServer, type TestUser, tempDir } from '../testing/server.js';
import { WsClient, waitFor } from '../testing/ws.js';

const GRACE_MS = 500;
const QUIET_MS = GRACE_MS * 4;

const postgresDown = await unreachableReason(DATABASE_URL);

for (const engine of ['sqlite', 'postgres'] as const) {
  const skip =
    engine === 'postgres' && postgresDown !== null && !process.env.CI
      ? `PostgreSQL unreachable (${postgresDown})`
      : false;
  describe(`mentions (${engine})`, { skip }, () => {
    let dir: string;
    let service: LocalPushService;
    let server: TestServer;
    let schema: string | undefined;

    before(async () => {
      dir = await tempDir('chat-mentions-');
      service = await LocalPushService.start(dir);
      if (engine === 'postgres') schema = await createSchema(DATABASE_URL);
      server = await startTestServer({
        ...(schema ? { DATABASE_URL, CHAT_DATABASE_SCHEMA: schema, CHAT_DATABASE_POOL_SIZE: '4' } : {}),
        CHAT_PUSH_GRACE_MS: String(GRACE_MS),
        CHAT_PUSH_COALESCE_MS: String(GRACE_MS),
        CHAT_PUSH_RETRY_BASE_MS: '100',
        CHAT_PUSH_POLL_MS: '200',
        CHAT_PUSH_CA_FILE: service.caFile,
        CHAT_WEB_PUSH_HOSTS: '127.0.0.1',
      });
    });
    after(async () => {
      await server?.close();
      await service?.close();
      if (schema) await dropSchema(DATABASE_URL, schema);
      await rm(dir, { recursive: true, force: true });
    });

    /** alice (admin), bob and carol in a group; dave in none of it. */
    // Password hashing makes users costly: shared by the tests that need no push state of their own.
    let shared: Promise<TestUser[]> | undefined;
    const register = () => Promise.all(['m_alice', 'm_bob', 'm_carol', 'm_dave'].map((n) => server.api.user(n)));
    const team = async (fresh = false) => {
      if (!fresh) shared ??= register();
      const [alice, bob, carol, dave] = await (fresh || !shared ? register() : shared);
      if (!alice || !bob || !carol || !dave) throw new Error('users');
      const groupId = await server.api.group(alice, [bob, carol], 'Team');
      return { alice, bob, carol, dave, groupId };
    };
    const send = async (sender: TestUser, conversationId: string, content: string): Promise<Message> => {
      const res = await server.api.send(sender, conversationId, content);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.message;
    };
    const summary = async (user: TestUser, conversationId: string): Promise<ConversationSummary | undefined> => {
      const res = await server.api.request('GET', `/api/v1/users/${user.user.id}/conversations`, { token: user.token });
      return (res.body.conversations as ConversationSummary[]).find((c) => c.id === conversationId);
    };

    it('stores the members a group message mentions, ignoring non-members, unknown names, emails and the sender', async () => {
      const { alice, bob, carol, dave, groupId } = await team();
      const watcher = await WsClient.ready(server.url, bob.token);
      const text = `hi @${bob.user.username.toUpperCase()}, @${dave.user.username} @nosuchuser1 @${alice.user.username} x@${carol.user.username}. @${carol.user.username}.`;
      const message = await send(alice, groupId, text);
      assert.deepEqual(message.mentions, [bob.user.id, carol.user.id]);
      assert.equal('forwarded' in message, false);

      const live = await watcher.next('message:new', (f) => f.message.id === message.id);
      assert.deepEqual(live.message.mentions, [bob.user.id, carol.user.id]);
      const history = await server.api.request('GET', `/api/v1/conversations/${groupId}/messages`, {
        token: carol.token,
      });
      assert.deepEqual(history.body.messages.at(-1).mentions, [bob.user.id, carol.user.id]);
      const plain = await send(alice, groupId, 'nobody here');
      assert.equal('mentions' in plain, false, 'absent when nobody is mentioned');
      await watcher.close();
    });

    it('parses mentions of a WebSocket send and answers them in the ack; a direct chat mentions nobody', async () => {
      const { alice, bob, groupId } = await team();
      const socket = await WsClient.ready(server.url, alice.token);
      socket.send({
        type: 'message:send',
        clientMsgId: 'ws-m1',
        conversationId: groupId,
        content: `@${bob.user.username} look`,
      });
      const ack = await socket.next('message:ack', (f) => f.clientMsgId === 'ws-m1');
      assert.deepEqual(ack.message.mentions, [bob.user.id]);
      const directId = await server.api.direct(alice, bob);
      const direct = await send(alice, directId, `@${bob.user.username} hi`);
      assert.equal(direct.mentions, undefined);
      await socket.close();
    });

    it('counts unread mentions per conversation; reading past them clears the count, from any device', async () => {
      const { alice, bob, groupId } = await team();
      await send(alice, groupId, `@${bob.user.username} one`);
      const second = await send(alice, groupId, `@${bob.user.username} two`);
      const third = await send(alice, groupId, 'no mention');
      let entry = await summary(bob, groupId);
      assert.equal(entry?.unreadMentionCount, 2);
      assert.equal(entry?.unreadCount, 3);
      assert.equal((await summary(alice, groupId))?.unreadMentionCount, 0);

      // One device reads up to the first mention over REST …
      const read = await server.api.request('POST', `/api/v1/messages/${second.id}/read`, { token: bob.token });
      assert.equal(read.status, 200);
      entry = await summary(bob, groupId);
      assert.equal(entry?.unreadMentionCount, 0);
      // … a deleted mention never counted; another device reads the rest over the WebSocket.
      const fourth = await send(alice, groupId, `@${bob.user.username} three`);
      assert.equal((await summary(bob, groupId))?.unreadMentionCount, 1);
      const phone = await WsClient.ready(server.url, bob.token, { deviceId: 'bob-phone' });
      phone.send({ type: 'message:read', conversationId: groupId, seq: fourth.seq, ref: 'r1' });
      await phone.ping();
      await waitFor('the count cleared', async () =>
        (await summary(bob, groupId))?.unreadMentionCount === 0 ? true : undefined,
      );
      assert.ok(third.seq < fourth.seq);
      await phone.close();
    });

    it('does not count a mention whose message was deleted', async () => {
      const { alice, bob, groupId } = await team();
      const message = await send(alice, groupId, `@${bob.user.username} oops`);
      assert.equal((await summary(bob, groupId))?.unreadMentionCount, 1);
      const deleted = await server.api.request('DELETE', `/api/v1/messages/${message.id}`, { token: alice.token });
      assert.equal(deleted.body.message.mentions, undefined);
      assert.equal((await summary(bob, groupId))?.unreadMentionCount, 0);
    });

    it('pushes a mention to a member who muted the group, saying so; the muted rest stays silent', async () => {
      const { alice, bob, carol, groupId } = await team(true);
      await service.subscribe(server.api, bob);
      await service.subscribe(server.api, carol);
      for (const user of [bob, carol]) {
        const muted = await server.api.request('PUT', `/api/v1/conversations/${groupId}/mute`, {
          token: user.token,
          body: {},
        });
        assert.equal(muted.status, 200);
      }
      await send(alice, groupId, 'lunch anyone?');
      const mention = await send(alice, groupId, `@${bob.user.username} lunch?`);
      const [notification] = await waitFor(
        'a notification',
        () => (service.received(bob).length > 0 ? service.received(bob) : undefined),
        5000,
      );
      assert.equal(notification?.title, 'Team');
      assert.equal(notification?.body, `m_alice mentioned you: @${bob.user.username} lunch?`);
      assert.equal(notification?.messageId, mention.id);
      assert.equal(notification?.count, 1, 'only the mention, not the muted message before it');
      assert.equal(notification?.mention, true);
      await sleep(QUIET_MS);
      assert.equal(service.received(bob).length, 1);
      assert.equal(service.requestsFor(carol).length, 0, 'carol is muted and not mentioned');
    });

    it('keeps do-not-disturb and blocks silent even for a mention', async () => {
      const { alice, bob, carol, groupId } = await team(true);
      await service.subscribe(server.api, bob);
      await service.subscribe(server.api, carol);
      const dnd = await server.api.request('PATCH', '/api/v1/users/me/notifications', {
        token: bob.token,
        body: { doNotDisturb: true },
      });
      assert.equal(dnd.status, 200);
      await server.api.request('PUT', `/api/v1/users/me/blocks/${alice.user.id}`, { token: carol.token });
      await send(alice, groupId, `@${bob.user.username} @${carol.user.username} urgent`);
      await sleep(QUIET_MS);
      assert.equal(service.requestsFor(bob).length, 0, 'do-not-disturb');
      assert.equal(service.requestsFor(carol).length, 0, 'blocked sender');
    });
  });
}
