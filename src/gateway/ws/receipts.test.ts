/**
 * Receipts over the WebSocket (../shared/CONTRACT.md, "WebSocket" and
 * "Messages"): message:received → the senders get message:delivered,
 * message:read → message:read; `GET /messages/{id}/receipts` goes
 * queued → sent (pushed to a live connection) → delivered → read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Receipt } from '../../protocol/dto.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient, waitFor } from '../../testing/ws.js';

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

async function receipts(caller: TestUser, messageId: string): Promise<Receipt[]> {
  const res = await server.api.request('GET', `/api/v1/messages/${messageId}/receipts`, { token: caller.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.receipts;
}

async function statusOf(caller: TestUser, messageId: string, member: TestUser): Promise<Receipt['status'] | undefined> {
  return (await receipts(caller, messageId)).find((r) => r.userId === member.user.id)?.status;
}

/** Polls the receipt until it shows `status` (the sent mark is recorded asynchronously). */
async function eventually(caller: TestUser, messageId: string, member: TestUser, status: Receipt['status']) {
  await waitFor(`receipt ${status}`, async () =>
    (await statusOf(caller, messageId, member)) === status ? true : undefined,
  );
}

describe('message:received → message:delivered', () => {
  it("tells the sender's connections that a member received up to a seq", async () => {
    const [alice, bob] = await Promise.all([server.api.user('rcpt_a'), server.api.user('rcpt_b')]);
    const direct = await server.api.direct(alice, bob);
    const alicePhone = await connect(alice, 'phone');
    const aliceLaptop = await connect(alice, 'laptop');
    const bobClient = await connect(bob);
    const first = await alicePhone.sendMessage(direct, 'one');
    const second = await alicePhone.sendMessage(direct, 'two');
    await bobClient.next('message:new', (f) => f.message.id === second.message.id);
    bobClient.send({ type: 'message:received', conversationId: direct, seq: second.message.seq });
    for (const client of [alicePhone, aliceLaptop]) {
      const delivered = await client.next('message:delivered');
      assert.deepEqual(delivered, { type: 'message:delivered', conversationId: direct, userId: bob.user.id, seq: 2 });
    }
    assert.equal(await statusOf(alice, first.message.id, bob), 'delivered');
    // The receiver itself is not told about its own delivery.
    await bobClient.ping();
    assert.equal(bobClient.all('message:delivered').length, 0);
  });

  it('announces only forward moves', async () => {
    const [alice, bob] = await Promise.all([server.api.user('rcpt_fwd_a'), server.api.user('rcpt_fwd_b')]);
    const direct = await server.api.direct(alice, bob);
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    for (let i = 0; i < 3; i += 1) await aliceClient.sendMessage(direct, `m${i}`);
    await bobClient.waitForMessages(direct, 3);
    bobClient.send({ type: 'message:received', conversationId: direct, seq: 3 });
    await aliceClient.next('message:delivered', (f) => f.seq === 3);
    bobClient.send({ type: 'message:received', conversationId: direct, seq: 2 });
    bobClient.send({ type: 'message:received', conversationId: direct, seq: 3 });
    await bobClient.ping();
    const marker = await aliceClient.sendMessage(direct, 'marker');
    await bobClient.next('message:new', (f) => f.message.id === marker.message.id);
    bobClient.send({ type: 'message:received', conversationId: direct, seq: 4 });
    await aliceClient.next('message:delivered', (f) => f.seq === 4);
    assert.deepEqual(
      aliceClient.all('message:delivered').map((f) => f.seq),
      [3, 4],
    );
  });

  it('in a group, tells each sender whose messages were newly delivered', async () => {
    const [alice, bob, carol] = await Promise.all([
      server.api.user('rcpt_grp_a'),
      server.api.user('rcpt_grp_b'),
      server.api.user('rcpt_grp_c'),
    ]);
    const group = await server.api.group(alice, [bob, carol], 'receipts');
    const aliceClient = await connect(alice);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);
    const fromBob = await bobClient.sendMessage(group, 'from bob');
    await carolClient.next('message:new', (f) => f.message.id === fromBob.message.id);
    carolClient.send({ type: 'message:received', conversationId: group, seq: fromBob.message.seq });
    const toBob = await bobClient.next('message:delivered');
    assert.deepEqual(toBob, {
      type: 'message:delivered',
      conversationId: group,
      userId: carol.user.id,
      seq: fromBob.message.seq,
    });
    // Alice sent the group_created message (seq 1), newly delivered to Carol too.
    const toAlice = await aliceClient.next('message:delivered', (f) => f.userId === carol.user.id);
    assert.equal(toAlice.seq, fromBob.message.seq);
  });

  it('answers an ack for a conversation the user is not in with an error frame', async () => {
    const [alice, bob, mallory] = await Promise.all([
      server.api.user('rcpt_nm_a'),
      server.api.user('rcpt_nm_b'),
      server.api.user('rcpt_nm_m'),
    ]);
    const direct = await server.api.direct(alice, bob);
    const intruder = await connect(mallory);
    intruder.send({ type: 'message:received', conversationId: direct, seq: 1, ref: 'ack-1' });
    const error = await intruder.next('error');
    assert.equal(error.code, 'not_found');
    assert.equal(error.ref, 'ack-1');
    intruder.send({ type: 'message:read', conversationId: direct, seq: 1, ref: 'read-1' });
    const readError = await intruder.next('error', (f) => f.ref === 'read-1');
    assert.equal(readError.code, 'not_found');
    await intruder.ping();
    assert.ok(intruder.isOpen);
  });
});

describe('message:read → message:read', () => {
  it("tells the sender and the reader's other connections", async () => {
    const [alice, bob] = await Promise.all([server.api.user('read_a'), server.api.user('read_b')]);
    const direct = await server.api.direct(alice, bob);
    const aliceClient = await connect(alice);
    const bobPhone = await connect(bob, 'phone');
    const bobLaptop = await connect(bob, 'laptop');
    const sent = await aliceClient.sendMessage(direct, 'read me');
    await bobPhone.next('message:new', (f) => f.message.id === sent.message.id);
    bobPhone.send({ type: 'message:read', conversationId: direct, seq: sent.message.seq });
    const expected = { type: 'message:read', conversationId: direct, userId: bob.user.id, seq: sent.message.seq };
    assert.deepEqual(await aliceClient.next('message:read'), expected);
    assert.deepEqual(await bobLaptop.next('message:read'), expected, "the reader's other devices hear of it");
    assert.equal(await statusOf(alice, sent.message.id, bob), 'read');
  });
});

describe('REST receipts follow the WebSocket', () => {
  it('goes queued → sent → delivered → read', async () => {
    const [alice, bob, carol] = await Promise.all([
      server.api.user('flow_a'),
      server.api.user('flow_b'),
      server.api.user('flow_c'),
    ]);
    const group = await server.api.group(alice, [bob, carol], 'receipt flow');
    const aliceClient = await connect(alice);
    const carolClient = await connect(carol);
    const sent = await aliceClient.sendMessage(group, 'track me');
    const id = sent.message.id;
    // Bob has no connection: queued. Carol's connection got it pushed: sent (recorded asynchronously).
    await carolClient.next('message:new', (f) => f.message.id === id);
    await eventually(alice, id, carol, 'sent');
    assert.equal(await statusOf(alice, id, bob), 'queued');
    const all = await receipts(alice, id);
    assert.deepEqual(all.map((r) => r.userId).sort(), [bob.user.id, carol.user.id].sort(), 'one per other member');
    // Bob connects: the replay pushes it to him.
    const bobClient = await connect(bob);
    assert.ok(bobClient.messages(group).some((m) => m.id === id));
    await eventually(alice, id, bob, 'sent');
    // Acknowledged: delivered, with a time.
    bobClient.send({ type: 'message:received', conversationId: group, seq: sent.message.seq });
    await aliceClient.next('message:delivered', (f) => f.userId === bob.user.id);
    const delivered = (await receipts(alice, id)).find((r) => r.userId === bob.user.id);
    assert.equal(delivered?.status, 'delivered');
    assert.ok(delivered?.at && !Number.isNaN(Date.parse(delivered.at)));
    // Read.
    bobClient.send({ type: 'message:read', conversationId: group, seq: sent.message.seq });
    await aliceClient.next('message:read', (f) => f.userId === bob.user.id);
    const read = (await receipts(alice, id)).find((r) => r.userId === bob.user.id);
    assert.equal(read?.status, 'read');
    assert.ok(read?.at);
    // Carol is still at sent; any member may look.
    assert.equal(await statusOf(bob, id, carol), 'sent');
  });

  it('a message pushed live (not replayed) also becomes sent', async () => {
    const [alice, bob] = await Promise.all([server.api.user('live_sent_a'), server.api.user('live_sent_b')]);
    const direct = await server.api.direct(alice, bob);
    const bobClient = await connect(bob);
    const res = await server.api.send(alice, direct, 'live');
    await bobClient.next('message:new', (f) => f.message.id === res.body.message.id);
    await eventually(alice, res.body.message.id, bob, 'sent');
  });

  it('stays queued while the member is offline', async () => {
    const [alice, bob] = await Promise.all([server.api.user('queued_a'), server.api.user('queued_b')]);
    const direct = await server.api.direct(alice, bob);
    const res = await server.api.send(alice, direct, 'nobody home');
    assert.deepEqual(await receipts(alice, res.body.message.id), [{ userId: bob.user.id, status: 'queued', at: null }]);
  });
});
