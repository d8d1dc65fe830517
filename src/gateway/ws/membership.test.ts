/**
 * Membership changes as seen on open connections (../shared/CONTRACT.md,
 * "Conversations and groups": "a removed member sees nothing after its
 * removal"; docs/PROTOCOL.md, conversation:updated and conversation:removed):
 * a removed member's stream ends at its removal message, an added member's
 * starts at its addition, and conversation:updated reaches the current members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient } from '../../testing/ws.js';

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

async function team(prefix: string, size = 3) {
  const people = (await Promise.all(
    Array.from({ length: size }, (_, i) => server.api.user(`${prefix}_${i}`)),
  )) as TestUser[];
  const [admin, ...members] = people as [TestUser, ...TestUser[]];
  const group = await server.api.group(admin, members, `${prefix} group`);
  return { admin, members, people, group };
}

async function removeMember(caller: TestUser, group: string, userId: string) {
  const res = await server.api.request('DELETE', `/api/v1/groups/${group}/members/${userId}`, { token: caller.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.conversation;
}

async function addMember(caller: TestUser, group: string, userId: string) {
  const res = await server.api.request('PUT', `/api/v1/groups/${group}/members`, {
    token: caller.token,
    body: { userId },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.conversation;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** A short grace after a barrier, for frames that must not arrive on another socket. */
const grace = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('removal', () => {
  it('a removed member gets its removal and conversation:removed, then nothing; the others keep receiving', async () => {
    const { admin, members, group } = await team('removed');
    const [bob, carol] = members as [TestUser, TestUser];
    const adminClient = await connect(admin);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    const before = await adminClient.sendMessage(group, 'before');
    await bobClient.next('message:new', (f) => f.message.id === before.message.id);
    await removeMember(admin, group, bob.user.id);
    const removal = await bobClient.next(
      'message:new',
      (f) => f.message.type === 'system' && f.message.seq > before.message.seq,
    );
    await bobClient.next('conversation:removed');
    assert.deepEqual(bobClient.all('conversation:removed'), [{ type: 'conversation:removed', conversationId: group }]);
    // Carol sees the same removal message and the new member list.
    await carolClient.next('message:new', (f) => f.message.id === removal.message.id);
    const updated = await carolClient.next('conversation:updated', (f) =>
      f.conversation.members.every((m) => m.userId !== bob.user.id),
    );
    assert.equal(updated.conversation.id, group);
    // Messages after the removal: Carol gets them, Bob does not.
    const acks = await Promise.all(range(1, 5).map((i) => adminClient.sendMessage(group, `after ${i}`)));
    for (const ack of acks) await carolClient.next('message:new', (f) => f.message.id === ack.message.id);
    const rest = await server.api.send(carol, group, 'rest after');
    await carolClient.next('message:new', (f) => f.message.id === rest.body.message.id);
    await bobClient.ping();
    await grace();
    assert.equal(bobClient.seqs(group).at(-1), removal.message.seq, "Bob's stream ends at his removal");
    assert.deepEqual(bobClient.seqs(group), range(1, removal.message.seq));
    // Nor does a reconnect bring anything after it.
    await bobClient.close();
    const bobAgain = await connect(bob);
    assert.ok(bobAgain.seqs(group).every((seq) => seq <= removal.message.seq));
    // And he may not send or type there any more.
    const error = await bobAgain.sendMessage(group, 'let me back').then(
      () => assert.fail('a removed member could send'),
      (e: { frame: { code: string } }) => e.frame,
    );
    assert.equal(error.code, 'not_found');
    bobAgain.send({ type: 'typing:start', conversationId: group });
    assert.equal(
      (await bobAgain.next('error', (f) => f.code === 'not_found' && f.clientMsgId === undefined)).code,
      'not_found',
    );
  });

  it('stops at once even while messages are being sent', async () => {
    const { admin, members, group } = await team('removed_busy');
    const [bob, carol] = members as [TestUser, TestUser];
    const adminClient = await connect(admin);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    const sending = Promise.all(range(1, 60).map((i) => adminClient.sendMessage(group, `busy ${i}`)));
    await bobClient.waitForMessages(group, 10);
    const removed = removeMember(admin, group, bob.user.id);
    await Promise.all([sending, removed]);
    await bobClient.next('conversation:removed');
    const last = 1 + 60 + 1;
    await carolClient.waitForMessages(group, last);
    assert.deepEqual(carolClient.seqs(group), range(1, last));
    const removal = carolClient.messages(group).find((m) => m.type === 'system' && m.seq > 1);
    assert.ok(removal);
    await bobClient.ping();
    await grace();
    assert.deepEqual(bobClient.seqs(group), range(1, removal.seq), 'everything up to the removal, nothing after');
  });

  it('a member who leaves gets conversation:removed too', async () => {
    const { admin, members, group } = await team('leaver');
    const [bob] = members as [TestUser];
    const adminClient = await connect(admin);
    const bobClient = await connect(bob);
    await removeMember(bob, group, bob.user.id);
    await bobClient.next('conversation:removed');
    await adminClient.next('conversation:updated', (f) => f.conversation.members.length === 2);
    const after = await adminClient.sendMessage(group, 'after leaving');
    await adminClient.next('message:new', (f) => f.message.id === after.message.id);
    await bobClient.ping();
    await grace();
    assert.ok(!bobClient.messages(group).some((m) => m.id === after.message.id));
  });
});

describe('addition', () => {
  it('an added member starts receiving at its addition, live on the connection it already has', async () => {
    const { admin, members, group } = await team('added');
    const [bob] = members as [TestUser];
    const dave = await server.api.user('added_new');
    await server.api.send(admin, group, 'before dave');
    const daveClient = await connect(dave);
    const adminClient = await connect(admin);
    await addMember(admin, group, dave.user.id);
    const updated = await daveClient.next('conversation:updated', (f) => f.conversation.id === group);
    assert.ok(updated.conversation.members.some((m) => m.userId === dave.user.id));
    const addition = await daveClient.next('message:new', (f) => f.message.conversationId === group);
    assert.equal(addition.message.type, 'system');
    const acks = await Promise.all(range(1, 5).map((i) => adminClient.sendMessage(group, `welcome ${i}`)));
    const rest = await server.api.send(bob, group, 'hi dave');
    await daveClient.waitForMessages(group, 7);
    assert.deepEqual(daveClient.seqs(group), range(addition.message.seq, addition.message.seq + 6));
    assert.ok(
      daveClient.messages(group).every((m) => m.content !== 'before dave'),
      'nothing from before',
    );
    assert.equal(daveClient.messages(group).at(-1)?.id, rest.body.message.id);
    assert.equal(acks.length, 5);
    // Typing reaches the new member too.
    adminClient.send({ type: 'typing:start', conversationId: group });
    await daveClient.next('typing:start', (f) => f.conversationId === group);
  });

  it('a member removed and added back receives again on the same connection, without the gap', async () => {
    const { admin, members, group } = await team('readded');
    const [bob] = members as [TestUser];
    const adminClient = await connect(admin);
    const bobClient = await connect(bob);
    await removeMember(admin, group, bob.user.id);
    await bobClient.next('conversation:removed');
    const removalSeq = bobClient.seqs(group).at(-1) as number;
    const missed = await adminClient.sendMessage(group, 'while bob was out');
    await addMember(admin, group, bob.user.id);
    await bobClient.next('conversation:updated', (f) => f.conversation.members.some((m) => m.userId === bob.user.id));
    const back = await adminClient.sendMessage(group, 'welcome back');
    await bobClient.next('message:new', (f) => f.message.id === back.message.id, 3000);
    const seqs = bobClient.seqs(group);
    assert.ok(!seqs.includes(missed.message.seq), 'nothing from while he was out');
    const readdSeq = missed.message.seq + 1;
    assert.deepEqual(seqs, [...range(1, removalSeq), readdSeq, readdSeq + 1]);
  });
});

describe('conversation:updated', () => {
  it('goes to every current member on a settings change, and to nobody else', async () => {
    const { admin, members, group } = await team('settings', 3);
    const outsider = await server.api.user('settings_out');
    const clients = await Promise.all([admin, ...members].map((u) => connect(u)));
    const stranger = await connect(outsider);
    const res = await server.api.request('PATCH', `/api/v1/groups/${group}`, {
      token: admin.token,
      body: { name: 'renamed' },
    });
    assert.equal(res.status, 200);
    for (const client of clients) {
      const frame = await client.next('conversation:updated', (f) => f.conversation.name === 'renamed');
      assert.equal(frame.conversation.id, group);
      assert.deepEqual(frame.conversation, res.body.conversation);
    }
    await stranger.ping();
    await grace();
    assert.equal(stranger.all('conversation:updated').length, 0);
  });

  it('goes to both users when a direct conversation is created', async () => {
    const [alice, bob] = await Promise.all([server.api.user('direct_new_a'), server.api.user('direct_new_b')]);
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const direct = await server.api.direct(alice, bob);
    for (const client of [aliceClient, bobClient]) {
      const frame = await client.next('conversation:updated', (f) => f.conversation.id === direct);
      assert.equal(frame.conversation.type, 'direct');
      assert.deepEqual(frame.conversation.members.map((m) => m.userId).sort(), [alice.user.id, bob.user.id].sort());
    }
  });

  it('goes to the members on role changes and additions', async () => {
    const { admin, members, group } = await team('roles', 2);
    const [bob] = members as [TestUser];
    const adminClient = await connect(admin);
    const bobClient = await connect(bob);
    const res = await server.api.request('PUT', `/api/v1/groups/${group}/members/${bob.user.id}/role`, {
      token: admin.token,
      body: { role: 'admin' },
    });
    assert.equal(res.status, 200);
    const isAdmin = (f: { conversation: { members: { userId: string; role: string }[] } }) =>
      f.conversation.members.some((m) => m.userId === bob.user.id && m.role === 'admin');
    await adminClient.next('conversation:updated', isAdmin);
    await bobClient.next('conversation:updated', isAdmin);
    const carol = await server.api.user('roles_new');
    await addMember(bob, group, carol.user.id);
    for (const client of [adminClient, bobClient]) {
      await client.next('conversation:updated', (f) => f.conversation.members.some((m) => m.userId === carol.user.id));
    }
  });
});
