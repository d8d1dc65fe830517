/**
 * Sending over the WebSocket and live delivery (../shared/CONTRACT.md,
 * "Messages" and "WebSocket"): message:ack after the message is stored,
 * idempotent clientMsgId, error frames for refused sends, message:new to every
 * open connection of every member (the sender's own included) and nobody else,
 * and per-conversation seqs strictly increasing without gaps under concurrent
 * WebSocket and REST senders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../protocol/dto.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient, WsFrameError } from '../../testing/ws.js';

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

type Tuple<N extends number, T, R extends T[] = []> = R['length'] extends N ? R : Tuple<N, T, [T, ...R]>;

/** `count` fresh users, typed as a tuple of that length. */
async function users<N extends number>(prefix: string, count: N): Promise<Tuple<N, TestUser>> {
  return (await Promise.all(Array.from({ length: count }, (_, i) => server.api.user(`${prefix}${i}`)))) as Tuple<
    N,
    TestUser
  >;
}

async function history(user: TestUser, conversationId: string, query = 'limit=200'): Promise<Message[]> {
  const res = await server.api.request('GET', `/api/v1/conversations/${conversationId}/messages?${query}`, {
    token: user.token,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.messages;
}

/** Every seq from `from` to `to` exactly once, ascending. */
function assertContiguous(seqs: number[], from: number, to: number, what: string): void {
  for (let i = 1; i < seqs.length; i += 1) {
    const [previous, current] = [seqs[i - 1] as number, seqs[i] as number];
    assert.ok(current > previous, `${what}: seq ${current} after ${previous} at #${i} (not strictly increasing)`);
    assert.equal(current, previous + 1, `${what}: gap between ${previous} and ${current}`);
  }
  assert.equal(seqs[0], from, `${what}: first seq`);
  assert.equal(seqs.at(-1), to, `${what}: last seq`);
}

async function expectError(sending: Promise<unknown>) {
  try {
    await sending;
  } catch (error) {
    if (error instanceof WsFrameError) return error.frame;
    throw error;
  }
  assert.fail('the send was acknowledged');
}

describe('message:send', () => {
  it('answers message:ack with the stored message', async () => {
    const [alice, bob] = await users('send_ack', 2);
    const conversationId = await server.api.direct(alice, bob);
    const client = await connect(alice);
    const ack = await client.sendMessage(conversationId, 'hello over the socket', 'c-ack-1');
    assert.equal(ack.clientMsgId, 'c-ack-1');
    const { message } = ack;
    assert.equal(message.conversationId, conversationId);
    assert.equal(message.senderId, alice.user.id);
    assert.equal(message.clientMsgId, 'c-ack-1');
    assert.equal(message.type, 'text');
    assert.equal(message.content, 'hello over the socket');
    assert.equal(message.seq, 1);
    assert.equal(typeof message.id, 'string');
    assert.ok(!Number.isNaN(Date.parse(message.createdAt)));
    // Acknowledged means stored: the very next read finds it, identical.
    const stored = await history(bob, conversationId);
    assert.deepEqual(stored.at(-1), message);
  });

  it('is idempotent: the same clientMsgId again answers the first message and delivers nothing new', async () => {
    const [alice, bob] = await users('send_idem', 2);
    const conversationId = await server.api.direct(alice, bob);
    const sender = await connect(alice);
    const receiver = await connect(bob);
    const first = await sender.sendMessage(conversationId, 'only once', 'c-idem-1');
    await receiver.next('message:new', (f) => f.message.id === first.message.id);
    const again = await sender.sendMessage(conversationId, 'only once', 'c-idem-1');
    assert.equal(again.message.id, first.message.id);
    assert.equal(again.message.seq, first.message.seq);
    // Different content under the same clientMsgId is still the first message.
    const changed = await sender.sendMessage(conversationId, 'something else', 'c-idem-1');
    assert.equal(changed.message.id, first.message.id);
    assert.equal(changed.message.content, 'only once');
    // The same clientMsgId over REST is the same message too.
    const rest = await server.api.send(alice, conversationId, 'only once', 'c-idem-1');
    assert.equal(rest.status, 200);
    assert.equal(rest.body.message.id, first.message.id);
    // A later message is the next seq, and arrives after exactly one copy of the first.
    const next = await sender.sendMessage(conversationId, 'the next one', 'c-idem-2');
    assert.equal(next.message.seq, first.message.seq + 1);
    await receiver.next('message:new', (f) => f.message.id === next.message.id);
    assert.deepEqual(receiver.seqs(conversationId), [1, 2]);
    assert.deepEqual(sender.seqs(conversationId), [1, 2], "the sender's connection also got each once");
    assert.equal((await history(alice, conversationId)).length, 2);
  });

  it('delivers a message whose first answer was lost after its commit when the sender retries', async () => {
    const [alice, bob] = await users('send_lost_answer', 2);
    const conversationId = await server.api.direct(alice, bob);
    const sender = await connect(alice);
    const receiver = await connect(bob);
    // Committed, but nobody heard of it: what a database connection lost after COMMIT leaves behind.
    const stored = await server.node.storage.messages.append({
      id: `m_lost_${Date.now()}`,
      conversationId,
      senderId: alice.user.id,
      clientMsgId: 'c-lost-1',
      type: 'text',
      content: 'committed, answer lost',
      mediaId: null,
      replyToId: null,
      createdAt: new Date().toISOString(),
      system: null,
    });
    const retry = await sender.sendMessage(conversationId, 'committed, answer lost', 'c-lost-1');
    assert.equal(retry.message.id, stored.message.id);
    const arrived = await receiver.next('message:new', (f) => f.message.id === stored.message.id);
    assert.equal(arrived.message.seq, 1);
    // A second retry announces it again; the receiver's stream drops the copy by seq.
    await sender.sendMessage(conversationId, 'committed, answer lost', 'c-lost-1');
    const next = await sender.sendMessage(conversationId, 'the next one', 'c-lost-2');
    await receiver.next('message:new', (f) => f.message.id === next.message.id);
    assert.deepEqual(receiver.seqs(conversationId), [1, 2]);
    assert.deepEqual(sender.seqs(conversationId), [1, 2]);
  });

  it('is idempotent for two concurrent sends of the same clientMsgId', async () => {
    const [alice, bob] = await users('send_idem_conc', 2);
    const conversationId = await server.api.direct(alice, bob);
    const phone = await connect(alice, 'phone');
    const laptop = await connect(alice, 'laptop');
    const receiver = await connect(bob);
    const [a, b, c] = await Promise.all([
      phone.sendMessage(conversationId, 'twice at once', 'c-race'),
      laptop.sendMessage(conversationId, 'twice at once', 'c-race'),
      server.api.send(alice, conversationId, 'twice at once', 'c-race'),
    ]);
    assert.equal(a.message.id, b.message.id);
    assert.equal(a.message.id, c.body.message.id);
    const marker = await phone.sendMessage(conversationId, 'marker');
    await receiver.next('message:new', (f) => f.message.id === marker.message.id);
    assert.deepEqual(receiver.seqs(conversationId), [1, 2]);
  });

  it('answers a send to a conversation the user is not in with not_found, carrying the clientMsgId', async () => {
    const [alice, bob, mallory] = await users('send_nonmember', 3);
    const conversationId = await server.api.direct(alice, bob);
    const receiver = await connect(bob);
    const client = await connect(mallory);
    const error = await expectError(client.sendMessage(conversationId, 'let me in', 'c-intruder'));
    assert.equal(error.code, 'not_found');
    assert.equal(error.clientMsgId, 'c-intruder');
    assert.ok(!JSON.stringify(error).includes(alice.user.id), 'the error says nothing of the conversation');
    // Unknown conversation: the same answer.
    const unknown = await expectError(client.sendMessage('no-such-conversation', 'hello?', 'c-unknown'));
    assert.equal(unknown.code, 'not_found');
    assert.equal(unknown.clientMsgId, 'c-unknown');
    await client.ping();
    assert.ok(client.isOpen, 'the connection stays open');
    // Nothing was stored or delivered.
    assert.equal((await history(alice, conversationId)).length, 0);
    assert.equal(receiver.all('message:new').length, 0);
    // And the connection still sends where it may.
    const own = await server.api.direct(mallory, alice);
    assert.equal((await client.sendMessage(own, 'hi')).message.seq, 1);
  });

  it('answers other refused sends with an error frame and stays open', async () => {
    const [admin, member] = await users('send_refused', 2);
    const groupId = await server.api.group(admin, [member], 'announcements');
    const patched = await server.api.request('PATCH', `/api/v1/groups/${groupId}`, {
      token: admin.token,
      body: { sendPolicy: 'admins' },
    });
    assert.equal(patched.status, 200);
    const client = await connect(member);
    const forbidden = await expectError(client.sendMessage(groupId, 'may I?', 'c-policy'));
    assert.equal(forbidden.code, 'forbidden');
    assert.equal(forbidden.clientMsgId, 'c-policy');
    const empty = await expectError(client.sendMessage(groupId, '   ', 'c-blank'));
    assert.equal(empty.code, 'invalid_request');
    assert.equal(empty.clientMsgId, 'c-blank');
    await client.ping();
    assert.ok(client.isOpen);
  });

  it('cannot carry content over 64 KiB: the frame is refused with 1009 and nothing is stored', async () => {
    const [alice, bob] = await users('send_large', 2);
    const conversationId = await server.api.direct(alice, bob);
    const receiver = await connect(bob);
    for (const content of ['x'.repeat(64 * 1024 + 1), '€'.repeat(22_000)]) {
      const client = await connect(alice);
      client.send({ type: 'message:send', clientMsgId: `c-large-${content.length}`, conversationId, content });
      // The frame (content plus envelope) is over the 64 KiB frame limit: the connection closes
      // before the domain could answer payload_too_large (which the REST call does).
      assert.equal(await client.closedWithin(5000), 1009);
      assert.equal(client.all('message:ack').length, 0);
    }
    const rest = await server.api.send(alice, conversationId, 'x'.repeat(64 * 1024 + 1));
    assert.equal(rest.status, 413);
    assert.equal(rest.body.error.code, 'payload_too_large');
    const marker = await server.api.send(alice, conversationId, 'marker');
    await receiver.next('message:new', (f) => f.message.id === marker.body.message.id);
    assert.deepEqual(receiver.seqs(conversationId), [1], 'only the marker was stored');
  });
});

describe('live delivery', () => {
  it("reaches every open connection of every member, the sender's own and its other devices included", async () => {
    const [alice, bob, carol, outsider] = await users('fanout', 4);
    const groupId = await server.api.group(alice, [bob, carol], 'fan-out');
    const alicePhone = await connect(alice, 'phone');
    const aliceLaptop = await connect(alice, 'laptop');
    const bobPhone = await connect(bob, 'phone');
    const bobTablet = await connect(bob, 'tablet');
    const carolOnly = await connect(carol);
    const stranger = await connect(outsider);
    const ack = await alicePhone.sendMessage(groupId, 'to everyone');
    const receivers = { alicePhone, aliceLaptop, bobPhone, bobTablet, carolOnly };
    for (const [name, client] of Object.entries(receivers)) {
      const frame = await client.next('message:new', (f) => f.message.id === ack.message.id);
      assert.deepEqual(frame.message, ack.message, `${name} got the stored message`);
    }
    // REST sends fan out the same way.
    const rest = await server.api.send(bob, groupId, 'from REST');
    assert.equal(rest.status, 201);
    for (const [name, client] of Object.entries(receivers)) {
      await client.next('message:new', (f) => f.message.id === rest.body.message.id);
      // Sending moves no watermark: no device had acknowledged the group_created message (seq 1),
      // so every device, the creator's included, replays it.
      assert.deepEqual(client.seqs(groupId), [1, 2, 3], `${name}: the replayed system message, then both`);
    }
    await stranger.ping();
    assert.equal(stranger.all('message:new').length, 0, 'a non-member gets nothing');
  });

  it('keeps every connection in strict seq order with no gaps: 8 users x 50 concurrent WebSocket sends', async () => {
    const members = await users('order', 8);
    const [admin, ...rest] = members as [TestUser, ...TestUser[]];
    const groupId = await server.api.group(admin, rest, 'concurrency');
    const clients = await Promise.all(members.map((m) => connect(m)));
    const extraDevice = await connect(admin, 'second-device');
    // A known device of a member that reconnects in the middle of the storm: replay and live merge.
    const lateMember = members[1] as TestUser;
    await (await connect(lateMember, 'late')).close();
    const perUser = 50;
    const sending = Promise.all(
      clients.flatMap((client, u) =>
        Array.from({ length: perUser }, (_, i) => client.sendMessage(groupId, `user ${u} message ${i}`)),
      ),
    );
    await (clients[2] as WsClient).waitForMessages(groupId, 100);
    const late = await connect(lateMember, 'late');
    const acks = await sending;
    const total = 1 + members.length * perUser; // the group_created system message, then every send
    const ackSeqs = acks.map((a) => a.message.seq).sort((x, y) => x - y);
    assertContiguous(ackSeqs, 2, total, 'acknowledged seqs');
    await late.waitForMessages(groupId, total, 20_000);
    assertContiguous(late.seqs(groupId), 1, total, 'the device that reconnected mid-stream');
    for (const [i, client] of [...clients, extraDevice].entries()) {
      // Every device replays from seq 1, the creator's too (see the fan-out test).
      await client.waitForMessages(groupId, total, 20_000);
      assertContiguous(client.seqs(groupId), 1, total, `connection ${i}`);
    }
    // Each sender's own messages came back in the order it sent them.
    for (const [u, client] of clients.entries()) {
      const own = client.messages(groupId).filter((m) => m.senderId === members[u]?.user.id && m.type !== 'system');
      assert.equal(own.length, perUser);
    }
    const stored = [
      ...(await history(admin, groupId, 'limit=200&after=0')),
      ...(await history(admin, groupId, 'limit=200&after=200')),
      ...(await history(admin, groupId, 'limit=200&after=400')),
    ];
    assert.equal(stored.length, total);
  });

  it('keeps order with WebSocket and REST senders mixed', async () => {
    const members = await users('mixed', 6);
    const [admin, ...rest] = members as [TestUser, ...TestUser[]];
    const groupId = await server.api.group(admin, rest, 'mixed');
    const clients = await Promise.all(members.map((m) => connect(m)));
    const perUser = 25;
    const sends: Promise<unknown>[] = [];
    for (const [u, member] of members.entries()) {
      for (let i = 0; i < perUser; i += 1) {
        if (u % 2 === 0) sends.push((clients[u] as WsClient).sendMessage(groupId, `ws ${u}/${i}`));
        else {
          sends.push(server.api.send(member, groupId, `rest ${u}/${i}`).then((res) => assert.equal(res.status, 201)));
        }
      }
    }
    await Promise.all(sends);
    const total = 1 + members.length * perUser;
    for (const [i, client] of clients.entries()) {
      await client.waitForMessages(groupId, total, 20_000);
      assertContiguous(client.seqs(groupId), 1, total, `connection ${i}`);
    }
  });

  it('streams a conversation created while connected from its first message, in order', async () => {
    const [alice, bob] = await users('newconv', 2);
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const direct = await server.api.direct(alice, bob);
    // A burst right away: the receiver's stream for the new conversation starts while they arrive.
    await Promise.all(Array.from({ length: 40 }, (_, i) => aliceClient.sendMessage(direct, `first words ${i}`)));
    await bobClient.waitForMessages(direct, 40);
    assertContiguous(bobClient.seqs(direct), 1, 40, 'receiver');
    await aliceClient.waitForMessages(direct, 40);
    assertContiguous(aliceClient.seqs(direct), 1, 40, 'sender');
    // The same for a group created while its members are connected.
    const carol = (await users('newgroup', 1))[0];
    const carolClient = await connect(carol);
    const group = await server.api.group(alice, [bob, carol], 'new while online');
    await Promise.all(Array.from({ length: 20 }, (_, i) => bobClient.sendMessage(group, `hello ${i}`)));
    await carolClient.waitForMessages(group, 21);
    assertContiguous(carolClient.seqs(group), 1, 21, 'a member connected before the group existed');
  });

  it('sends message:updated for an edit and a delete to the members, and not to a removed one', async () => {
    const [alice, bob, carol] = await users('updated', 3);
    const group = await server.api.group(alice, [bob, carol], 'edits');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    const sent = await aliceClient.sendMessage(group, 'frist');
    const removed = await server.api.request('DELETE', `/api/v1/groups/${group}/members/${carol.user.id}`, {
      token: alice.token,
    });
    assert.equal(removed.status, 200);
    await carolClient.next('conversation:removed');
    const edit = await server.api.request('PATCH', `/api/v1/messages/${sent.message.id}`, {
      token: alice.token,
      body: { content: 'first' },
    });
    assert.equal(edit.status, 200);
    for (const client of [aliceClient, bobClient]) {
      const frame = await client.next('message:updated', (f) => f.message.id === sent.message.id);
      assert.deepEqual(frame.message, edit.body.message);
      assert.equal(frame.message.content, 'first');
      assert.ok(frame.message.editedAt);
    }
    const deleted = await server.api.request('DELETE', `/api/v1/messages/${sent.message.id}`, { token: alice.token });
    assert.equal(deleted.status, 200);
    const gone = await bobClient.next('message:updated', (f) => f.message.deletedAt !== null);
    assert.equal(gone.message.content, '');
    await carolClient.ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(carolClient.all('message:updated').length, 0, 'a removed member hears of no edits');
  });

  it('keeps each conversation in order independently when one connection is in many', async () => {
    const [alice, bob, carol] = await users('multi', 3);
    const direct = await server.api.direct(alice, bob);
    const group = await server.api.group(bob, [alice, carol], 'multi');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => bobClient.sendMessage(direct, `d${i}`)),
      ...Array.from({ length: 30 }, (_, i) => carolClient.sendMessage(group, `g${i}`)),
      ...Array.from({ length: 30 }, (_, i) => aliceClient.sendMessage(i % 2 ? direct : group, `a${i}`)),
    ]);
    await aliceClient.waitForMessages(direct, 45);
    await aliceClient.waitForMessages(group, 46);
    assertContiguous(aliceClient.seqs(direct), 1, 45, 'direct');
    assertContiguous(aliceClient.seqs(group), 1, 46, 'group');
    await bobClient.waitForMessages(group, 46);
    assertContiguous(bobClient.seqs(group), 1, 46, "the group's creator");
  });
});
