/**
 * Reactions and the change stream over real WebSockets (docs/PROTOCOL.md,
 * "Reactions and message changes"): live message:reaction to every member's
 * connections, the REST summary and reactor list, refusals (bad emoji,
 * non-members), the change replay after a reconnect (reactions, an edit and a
 * deletion missed while offline: each once, in order, none lost), and
 * conversation:read to the reader's other devices.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../protocol/dto.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { type Frame, WsClient } from '../../testing/ws.js';

let server: TestServer;
const open: WsClient[] = [];

before(async () => {
  server = await startTestServer();
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

function react(user: TestUser, messageId: string, emoji: string | null) {
  return emoji === null
    ? server.api.request('DELETE', `/api/v1/messages/${messageId}/reaction`, { token: user.token })
    : server.api.request('PUT', `/api/v1/messages/${messageId}/reaction`, { token: user.token, body: { emoji } });
}

/** The numbered change frames of one conversation, in arrival order. */
function changes(client: WsClient, conversationId: string): Frame[] {
  return client.frames.filter(
    (f) =>
      (f.type === 'message:reaction' && f.conversationId === conversationId) ||
      (f.type === 'message:updated' && f.message.conversationId === conversationId && f.changeSeq !== undefined),
  );
}

function changeSeqOf(frame: Frame): number {
  return Number((frame as { changeSeq?: number }).changeSeq);
}

/** Sends a change sync and resolves with its sync:done. */
async function syncChanges(client: WsClient, cursors: Record<string, number>, ref: string) {
  client.send({ type: 'sync', changes: cursors, ref });
  return client.next('sync:done', (f) => f.ref === ref, 10_000);
}

describe('reactions', () => {
  it('fans a reaction out live to every member, carries summaries in history, lists reactors', async () => {
    const [alice, bob, carol, dave] = await Promise.all(
      ['rx_a', 'rx_b', 'rx_c', 'rx_d'].map((p) => server.api.user(p)),
    );
    assert.ok(alice && bob && carol && dave);
    const group = await server.api.group(alice, [bob, carol]);
    const aliceWs = await connect(alice);
    const bobPhone = await connect(bob, 'phone');
    const bobLaptop = await connect(bob, 'laptop');
    const daveWs = await connect(dave);
    const { message } = await aliceWs.sendMessage(group, 'react to me');
    const lastSeq = message.seq;

    const put = await react(bob, message.id, '👍');
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.reactions, [{ emoji: '👍', count: 1, me: true }]);
    assert.equal(put.body.emoji, '👍');
    assert.equal(typeof put.body.changeSeq, 'number');
    for (const client of [aliceWs, bobPhone, bobLaptop]) {
      const live = await client.next('message:reaction', (f) => f.messageId === message.id);
      assert.equal(live.userId, bob.user.id);
      assert.equal(live.emoji, '👍');
      assert.equal(live.changeSeq, put.body.changeSeq);
      assert.deepEqual(live.reactions, [{ emoji: '👍', count: 1 }]);
    }

    // Over the WebSocket, answered with reaction:ack; replacing keeps one reaction per user.
    bobPhone.send({ type: 'message:react', messageId: message.id, emoji: '❤️', ref: 'r1' });
    const ack = await bobPhone.next('reaction:ack', (f) => f.ref === 'r1');
    assert.deepEqual(ack.reactions, [{ emoji: '❤️', count: 1, me: true }]);
    aliceWs.send({ type: 'message:react', messageId: message.id, emoji: '❤️', ref: 'r2' });
    await aliceWs.next('reaction:ack', (f) => f.ref === 'r2');
    await aliceWs.until((frames) => frames.filter((f) => f.type === 'message:reaction').length === 3);

    const history = await server.api.request('GET', `/api/v1/conversations/${group}/messages`, {
      token: carol.token,
    });
    const seen = (history.body.messages as Message[]).find((m) => m.id === message.id);
    assert.deepEqual(seen?.reactions, [{ emoji: '❤️', count: 2, me: false }]);
    const mine = await server.api.request('GET', `/api/v1/conversations/${group}/messages`, { token: bob.token });
    assert.deepEqual((mine.body.messages as Message[]).find((m) => m.id === message.id)?.reactions, [
      { emoji: '❤️', count: 2, me: true },
    ]);
    const who = await server.api.request('GET', `/api/v1/messages/${message.id}/reactions`, { token: carol.token });
    assert.equal(who.status, 200);
    assert.deepEqual(
      (who.body.reactions as { userId: string; emoji: string }[]).map((r) => [r.userId, r.emoji]),
      [
        [bob.user.id, '❤️'],
        [alice.user.id, '❤️'],
      ],
    );

    // Reactions do not take message seqs: the conversation's lastSeq stays, the next message is dense.
    const conversation = await server.api.request('GET', `/api/v1/conversations/${group}`, { token: alice.token });
    assert.equal(conversation.body.conversation.lastSeq, lastSeq);
    const next = await aliceWs.sendMessage(group, 'next');
    assert.equal(next.message.seq, lastSeq + 1);

    // Removing answers emoji null; the same removal again changes nothing (changeSeq null).
    const removed = await react(bob, message.id, null);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.reactions, [{ emoji: '❤️', count: 1, me: false }]);
    const again = await react(bob, message.id, null);
    assert.equal(again.body.changeSeq, null);

    await daveWs.ping();
    assert.equal(daveWs.all('message:reaction').length, 0, 'a non-member hears of no reaction');
  });

  it('refuses a bad emoji, a non-member, a deleted or a system message', async () => {
    const [alice, bob, mallory] = await Promise.all(['rxr_a', 'rxr_b', 'rxr_m'].map((p) => server.api.user(p)));
    assert.ok(alice && bob && mallory);
    const group = await server.api.group(alice, [bob]);
    const aliceWs = await connect(alice);
    const { message } = await aliceWs.sendMessage(group, 'hello');
    for (const emoji of ['a', '👍👍', 'hello', '', '👍 ', '🇫', 'x'.repeat(100)]) {
      const res = await react(bob, message.id, emoji);
      assert.equal(res.status, 400, `${JSON.stringify(emoji)}: ${res.status}`);
      assert.equal(res.body.error.code, 'invalid_request');
    }
    const bobWs = await connect(bob);
    bobWs.send({ type: 'message:react', messageId: message.id, emoji: 'no', ref: 'bad' });
    const wsError = await bobWs.next('error', (f) => f.ref === 'bad');
    assert.equal(wsError.code, 'invalid_request');
    assert.ok(bobWs.isOpen);

    const foreign = await react(mallory, message.id, '👍');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'not_found');
    const listing = await server.api.request('GET', `/api/v1/messages/${message.id}/reactions`, {
      token: mallory.token,
    });
    assert.equal(listing.status, 404);
    const malloryWs = await connect(mallory);
    malloryWs.send({ type: 'message:react', messageId: message.id, emoji: '👍', ref: 'm' });
    assert.equal((await malloryWs.next('error', (f) => f.ref === 'm')).code, 'not_found');

    const system = (
      await server.api.request('GET', `/api/v1/conversations/${group}/messages`, { token: alice.token })
    ).body.messages.find((m: Message) => m.type === 'system') as Message;
    assert.equal((await react(bob, system.id, '👍')).status, 400);
    await server.api.request('DELETE', `/api/v1/messages/${message.id}`, { token: alice.token });
    const onDeleted = await react(bob, message.id, '👍');
    assert.equal(onDeleted.status, 409);

    await aliceWs.ping();
    assert.equal(aliceWs.all('message:reaction').length, 0, 'nothing refused reached a member');
  });
});

describe('change replay after a reconnect', () => {
  it('replays the reactions, edit and deletion missed while offline, once each, in order, then goes live', async () => {
    const [alice, bob] = await Promise.all([server.api.user('rp_a'), server.api.user('rp_b')]);
    assert.ok(alice && bob);
    const group = await server.api.group(alice, [bob]);
    const aliceWs = await connect(alice);
    const first = (await aliceWs.sendMessage(group, 'first')).message;
    const second = (await aliceWs.sendMessage(group, 'second')).message;
    await react(alice, first.id, '👍');

    // Bob's first connection learns the change heads of its conversations.
    const bobWs = await connect(bob, 'bob-phone');
    const done = await syncChanges(bobWs, {}, 'heads');
    const cursor = done.changes?.[group];
    assert.equal(cursor, 1);
    await bobWs.close();

    // While Bob is offline: a reaction, a replacement, an edit, a deletion, a removal.
    await react(alice, second.id, '😂');
    await react(alice, second.id, '🎉');
    const edited = await server.api.request('PATCH', `/api/v1/messages/${first.id}`, {
      token: alice.token,
      body: { content: 'first, edited' },
    });
    assert.equal(edited.status, 200);
    await server.api.request('DELETE', `/api/v1/messages/${second.id}`, { token: alice.token });
    await react(alice, first.id, null);

    const back = await connect(bob, 'bob-phone');
    const synced = await syncChanges(back, { [group]: cursor ?? 0 }, 'resume');
    assert.equal(synced.changes?.[group], 6);
    const replayed = changes(back, group);
    assert.deepEqual(replayed.map(changeSeqOf), [2, 3, 4, 5, 6], 'every missed change once, in change order');
    assert.deepEqual(
      replayed.map((f) => f.type),
      ['message:reaction', 'message:reaction', 'message:updated', 'message:updated', 'message:reaction'],
    );
    const editFrame = replayed[2] as Extract<Frame, { type: 'message:updated' }>;
    assert.equal(editFrame.message.id, first.id);
    assert.equal(editFrame.message.content, 'first, edited');
    const deleteFrame = replayed[3] as Extract<Frame, { type: 'message:updated' }>;
    assert.ok(deleteFrame.message.deletedAt);
    assert.equal(deleteFrame.message.content, '');

    // Live after the replay; a second sync from the same cursor sends nothing this connection sent.
    await react(bob, first.id, '🙏');
    await back.until((frames) => frames.some((f) => f.type === 'message:reaction' && f.changeSeq === 7));
    await syncChanges(back, { [group]: cursor ?? 0 }, 'again');
    await back.ping();
    assert.deepEqual(changes(back, group).map(changeSeqOf), [2, 3, 4, 5, 6, 7], 'no duplicate, no loss');
  });

  it('pages a long backlog, and replays nothing to a non-member naming the conversation', async () => {
    const [alice, bob, mallory] = await Promise.all(['rpp_a', 'rpp_b', 'rpp_m'].map((p) => server.api.user(p)));
    assert.ok(alice && bob && mallory);
    const group = await server.api.group(alice, [bob]);
    const aliceWs = await connect(alice);
    const { message } = await aliceWs.sendMessage(group, 'busy');
    const emojis = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
    const total = 450;
    for (let i = 0; i < total; i += 1) {
      const res = await react(alice, message.id, emojis[i % emojis.length] ?? '👍');
      assert.equal(res.status, 200);
    }
    const bobWs = await connect(bob);
    await syncChanges(bobWs, { [group]: 0 }, 'all');
    assert.deepEqual(
      changes(bobWs, group).map(changeSeqOf),
      Array.from({ length: total }, (_, i) => i + 1),
    );

    const malloryWs = await connect(mallory);
    const foreign = await syncChanges(malloryWs, { [group]: 0 }, 'foreign');
    assert.equal(changes(malloryWs, group).length, 0);
    assert.equal(foreign.changes?.[group], undefined, 'no head of a conversation the caller is not in');
  });
});

describe('change gaps', () => {
  it('fills a change the bus never brought before the next one, and after a bus gap', async () => {
    const [alice, bob] = await Promise.all([server.api.user('gap_a'), server.api.user('gap_b')]);
    assert.ok(alice && bob);
    const group = await server.api.group(alice, [bob]);
    const aliceWs = await connect(alice);
    const { message } = await aliceWs.sendMessage(group, 'gaps');
    const bobWs = await connect(bob);
    await syncChanges(bobWs, { [group]: 0 }, 'start');
    const storage = server.node.storage;
    // Stored but never announced: what a lost bus event looks like to this node.
    const silent = await storage.changes.react(message.id, alice.user.id, '😮', new Date().toISOString());
    assert.equal(silent?.change?.changeSeq, 1);
    await react(bob, message.id, '👍');
    await bobWs.until((frames) => frames.some((f) => f.type === 'message:reaction' && f.changeSeq === 2));
    assert.deepEqual(changes(bobWs, group).map(changeSeqOf), [1, 2], 'the missing change first, then the live one');

    await storage.changes.react(message.id, bob.user.id, '🎉', new Date().toISOString());
    await server.node.gateway.resync();
    await bobWs.until((frames) => frames.some((f) => f.type === 'message:reaction' && f.changeSeq === 3));
    await bobWs.ping();
    assert.deepEqual(changes(bobWs, group).map(changeSeqOf), [1, 2, 3]);
  });
});

describe('conversation:read', () => {
  it("clears the unread badge on the reader's other devices, not on the one that read", async () => {
    const [alice, bob] = await Promise.all([server.api.user('cr_a'), server.api.user('cr_b')]);
    assert.ok(alice && bob);
    const direct = await server.api.direct(alice, bob);
    const bobWs = await connect(bob);
    for (let i = 0; i < 3; i += 1) await bobWs.sendMessage(direct, `m${i}`);
    const phone = await connect(alice, 'phone');
    const laptop = await connect(alice, 'laptop');
    const list = async () =>
      (
        await server.api.request('GET', `/api/v1/users/${alice.user.id}/conversations`, { token: alice.token })
      ).body.conversations.find((c: { id: string }) => c.id === direct);
    assert.equal((await list()).unreadCount, 3);

    phone.send({ type: 'message:read', conversationId: direct, seq: 2 });
    const read = await laptop.next('conversation:read');
    assert.deepEqual(read, { type: 'conversation:read', conversationId: direct, seq: 2 });
    assert.equal((await list()).unreadCount, 1);

    // Over REST (no originating connection) every device of the reader hears of it.
    const lastId = bobWs.all('message:ack').at(-1)?.message.id;
    await server.api.request('POST', `/api/v1/messages/${lastId}/read`, { token: alice.token });
    await laptop.next('conversation:read', (f) => f.seq === 3);
    await phone.next('conversation:read', (f) => f.seq === 3);
    assert.equal((await list()).unreadCount, 0);
    assert.deepEqual(
      phone.all('conversation:read').map((f) => f.seq),
      [3],
      'the reading connection is not told of its own read',
    );
    await bobWs.ping();
    assert.equal(bobWs.all('conversation:read').length, 0, 'only the reader hears conversation:read');
  });
});
