/**
 * The outbox (../shared/CONTRACT.md, "WebSocket"): after hello the server
 * replays, per conversation in seq order, every message this device has not
 * acknowledged with message:received, then sync:done; acks are per device; a
 * new device starts at what the user already received; `sync` replays on
 * demand; live messages during a replay are merged without loss, duplicates
 * or reordering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

/** Opens the device once, so it is known (its cursors exist), and closes it. */
async function register(user: TestUser, deviceId: string): Promise<void> {
  await (await connect(user, deviceId)).close();
}

async function pair(prefix: string): Promise<[TestUser, TestUser, string]> {
  const [a, b] = await Promise.all([server.api.user(`${prefix}_a`), server.api.user(`${prefix}_b`)]);
  return [a, b, await server.api.direct(a, b)];
}

async function sendRest(user: TestUser, conversationId: string, count: number, prefix = 'm'): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await server.api.send(user, conversationId, `${prefix} ${i}`);
    assert.equal(res.status, 201);
  }
}

/** Acknowledges up to `seq` and waits until the server has taken the ack (frames are handled in order). */
async function ack(client: WsClient, conversationId: string, seq: number): Promise<void> {
  client.send({ type: 'message:received', conversationId, seq });
  await client.ping();
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** The types of the frames, with message:new shown as "new:<seq>". */
function outline(frames: readonly Frame[]): string[] {
  return frames.map((f) => (f.type === 'message:new' ? `new:${f.message.seq}` : f.type));
}

describe('outbox replay on connect', () => {
  it('replays what was sent while offline after hello, in seq order, then sync:done', async () => {
    const [alice, bob, direct] = await pair('offline');
    const carol = await server.api.user('offline_c');
    const group = await server.api.group(carol, [alice, bob], 'offline group');
    await sendRest(alice, direct, 5);
    await sendRest(carol, group, 3);
    const client = await connect(bob);
    const types = client.frames.map((f) => f.type);
    assert.equal(types[0], 'hello');
    assert.equal(types.at(-1), 'sync:done');
    assert.deepEqual(types.slice(1, -1), Array(9).fill('message:new'), 'only the outbox between hello and sync:done');
    assert.deepEqual(client.seqs(direct), range(1, 5));
    assert.deepEqual(client.seqs(group), range(1, 4), 'the group_created message, then 3');
    assert.deepEqual(
      client.messages(direct).map((m) => m.content),
      range(0, 4).map((i) => `m ${i}`),
    );
  });

  it('replays the same outbox again on every connect until it is acknowledged', async () => {
    const [alice, bob, direct] = await pair('unacked');
    await sendRest(alice, direct, 3);
    const first = await connect(bob);
    assert.deepEqual(first.seqs(direct), [1, 2, 3]);
    await first.close();
    const second = await connect(bob);
    assert.deepEqual(second.seqs(direct), [1, 2, 3], 'received but not acknowledged: replayed again');
  });

  it('after a partial ack, the replay starts at the next seq', async () => {
    const [alice, bob, direct] = await pair('partial');
    await sendRest(alice, direct, 10);
    const first = await connect(bob);
    assert.deepEqual(first.seqs(direct), range(1, 10));
    await ack(first, direct, 6);
    await first.close();
    const second = await connect(bob);
    assert.deepEqual(outline(second.frames), ['hello', 'new:7', 'new:8', 'new:9', 'new:10', 'sync:done']);
    await ack(second, direct, 10);
    await second.close();
    const third = await connect(bob);
    assert.deepEqual(outline(third.frames), ['hello', 'sync:done'], 'everything acknowledged: nothing to replay');
  });

  it('ignores an ack going backwards', async () => {
    const [alice, bob, direct] = await pair('backwards');
    await sendRest(alice, direct, 4);
    const first = await connect(bob);
    await ack(first, direct, 3);
    await ack(first, direct, 1);
    await first.close();
    const second = await connect(bob);
    assert.deepEqual(second.seqs(direct), [4]);
  });

  it('keeps acks per device: another known device still gets the replay', async () => {
    const [alice, bob, direct] = await pair('devices');
    await register(bob, 'laptop');
    await sendRest(alice, direct, 5);
    const phone = await connect(bob, 'phone');
    assert.deepEqual(phone.seqs(direct), range(1, 5));
    await ack(phone, direct, 5);
    await phone.close();
    const laptop = await connect(bob, 'laptop');
    assert.deepEqual(laptop.seqs(direct), range(1, 5), "the phone's ack does not empty the laptop's outbox");
    const phoneAgain = await connect(bob, 'phone');
    assert.deepEqual(phoneAgain.seqs(direct), [], 'the phone acknowledged them');
  });

  it('a brand-new device does not replay what another device already acknowledged', async () => {
    const [alice, bob, direct] = await pair('newdevice');
    await sendRest(alice, direct, 4);
    const phone = await connect(bob, 'phone');
    await ack(phone, direct, 4);
    await sendRest(alice, direct, 2, 'later');
    await phone.next('message:new', (f) => f.message.seq === 6);
    const tablet = await connect(bob, 'tablet-new');
    assert.deepEqual(tablet.seqs(direct), [5, 6], 'only what no device acknowledged');
    // From now on the new device gets live messages like any other.
    const live = await server.api.send(alice, direct, 'live');
    await tablet.next('message:new', (f) => f.message.id === live.body.message.id);
    assert.deepEqual(tablet.seqs(direct), [5, 6, 7]);
  });

  it("a brand-new device replays others' messages no device acknowledged, even after the user sent one", async () => {
    const [alice, bob, direct] = await pair('newdevice_sent');
    await sendRest(alice, direct, 2, 'unseen');
    // Bob answers over REST without any device having received Alice's messages.
    await sendRest(bob, direct, 1, 'blind reply');
    const tablet = await connect(bob, 'tablet-first');
    const replayed = tablet.seqs(direct);
    assert.ok(
      replayed.includes(1) && replayed.includes(2),
      `Alice's seqs 1 and 2 were never acknowledged by any device of Bob, yet the new device replayed [${replayed.join(', ')}]`,
    );
  });

  it("replays to a user's known device the messages it sent from another device", async () => {
    const [alice, bob, direct] = await pair('ownsent');
    await register(alice, 'laptop');
    const phone = await connect(alice, 'phone');
    for (let i = 0; i < 3; i += 1) await phone.sendMessage(direct, `from the phone ${i}`);
    await sendRest(bob, direct, 1, 'reply');
    const laptop = await connect(alice, 'laptop');
    assert.deepEqual(laptop.seqs(direct), [1, 2, 3, 4]);
  });
});

describe('sync', () => {
  it('replays after the given seq per conversation, then sync:done with the ref', async () => {
    const [alice, bob, direct] = await pair('sync_given');
    await sendRest(alice, direct, 8);
    const client = await connect(bob);
    assert.deepEqual(client.seqs(direct), range(1, 8));
    const mark = client.frames.length;
    client.send({ type: 'sync', conversations: { [direct]: 3 }, ref: 's1' });
    await client.next('sync:done', (f) => f.ref === 's1');
    assert.deepEqual(outline(client.frames.slice(mark)), ['new:4', 'new:5', 'new:6', 'new:7', 'new:8', 'sync:done']);
    assert.deepEqual(client.frames.at(-1), { type: 'sync:done', ref: 's1' });
  });

  it('replays nothing for an up-to-date conversation and ignores conversations the user is not in', async () => {
    const [alice, bob, direct] = await pair('sync_none');
    const [carol, dave, foreign] = await pair('sync_foreign');
    await sendRest(alice, direct, 2);
    await sendRest(carol, foreign, 2);
    const client = await connect(bob);
    const mark = client.frames.length;
    client.send({ type: 'sync', conversations: { [direct]: 2, [foreign]: 0, 'no-such-conversation': 0 }, ref: 's2' });
    await client.next('sync:done', (f) => f.ref === 's2');
    assert.deepEqual(outline(client.frames.slice(mark)), ['sync:done']);
    assert.ok(
      !client.all('message:new').some((f) => f.message.conversationId === foreign),
      'nothing of a foreign conversation',
    );
    assert.ok(dave);
  });

  it('without conversations replays everything this device has not acknowledged', async () => {
    const [alice, bob, direct] = await pair('sync_all');
    const carol = await server.api.user('sync_all_c');
    const other = await server.api.direct(carol, bob);
    await sendRest(alice, direct, 5);
    await sendRest(carol, other, 2);
    const client = await connect(bob);
    await ack(client, direct, 2);
    await ack(client, other, 2);
    const mark = client.frames.length;
    client.send({ type: 'sync', ref: 'everything' });
    await client.next('sync:done', (f) => f.ref === 'everything');
    assert.deepEqual(outline(client.frames.slice(mark)), ['new:3', 'new:4', 'new:5', 'sync:done']);
    const replayed = client.all('message:new').slice(-3);
    assert.ok(replayed.every((f) => f.message.conversationId === direct));
  });

  it('a sync naming a seq beyond the conversation does not stall its live messages', async () => {
    const [alice, bob, direct] = await pair('sync_ahead');
    await sendRest(alice, direct, 3);
    const client = await connect(bob);
    const mark = client.frames.length;
    client.send({ type: 'sync', conversations: { [direct]: 1000 }, ref: 'ahead' });
    await client.next('sync:done', (f) => f.ref === 'ahead');
    assert.deepEqual(outline(client.frames.slice(mark)), ['sync:done'], 'nothing after seq 1000 to replay');
    const live = await server.api.send(alice, direct, 'the fourth');
    await client.next('message:new', (f) => f.message.id === live.body.message.id, 2000);
    assert.deepEqual(client.seqs(direct), [1, 2, 3, 4]);
  });

  it('answers a sync without ref with a sync:done without ref', async () => {
    const [, bob] = await pair('sync_noref');
    const client = await connect(bob);
    const mark = client.frames.length;
    client.send({ type: 'sync', conversations: {} });
    await client.until(() => client.frames.length > mark);
    assert.deepEqual(client.frames.slice(mark), [{ type: 'sync:done' }]);
  });

  it('live messages keep flowing in order after a sync rewinds a conversation', async () => {
    const [alice, bob, direct] = await pair('sync_live');
    await sendRest(alice, direct, 4);
    const client = await connect(bob);
    const mark = client.frames.length;
    client.send({ type: 'sync', conversations: { [direct]: 0 }, ref: 'again' });
    const sender = await connect(alice);
    const acks = await Promise.all(range(1, 10).map((i) => sender.sendMessage(direct, `live ${i}`)));
    await client.next('sync:done', (f) => f.ref === 'again');
    await client.until(() => client.seqs(direct).includes(14));
    const afterSync = client.frames
      .slice(mark)
      .filter((f): f is Extract<Frame, { type: 'message:new' }> => f.type === 'message:new')
      .map((f) => f.message.seq);
    assert.deepEqual(afterSync, range(1, 14), 'the sync restarted at 1 and merged the live ones');
    assert.equal(acks.length, 10);
  });
});

describe('replay under load', () => {
  it('merges live messages into a 1000-message replay without loss, duplicates or reordering', async () => {
    const [alice, bob, direct] = await pair('bigreplay');
    const sender = await connect(alice);
    const backlog = 1000;
    for (let start = 0; start < backlog; start += 100) {
      await Promise.all(
        range(start, start + 99).map((i) => sender.sendMessage(direct, `backlog ${i} ${'.'.repeat(200)}`)),
      );
    }
    // Alice keeps sending while Bob connects and replays, until well after his sync:done.
    let receiver: WsClient | undefined;
    let sentAfterDone = 0;
    let liveSent = 0;
    const live = (async () => {
      while (sentAfterDone < 50) {
        await sender.sendMessage(direct, `live ${liveSent}`);
        liveSent += 1;
        if (receiver?.all('sync:done').length) sentAfterDone += 1;
      }
    })();
    receiver = await WsClient.connect(server.url, bob.token);
    open.push(receiver);
    await receiver.next('sync:done', undefined, 20_000);
    const newBeforeDone = receiver.frames.findIndex((f) => f.type === 'sync:done');
    await live;
    const total = backlog + liveSent;
    await receiver.waitForMessages(direct, total, 20_000);
    const seqs = receiver.seqs(direct);
    assert.equal(seqs.length, total, `${seqs.length} frames for ${total} messages: no loss, no duplicates`);
    assert.deepEqual(seqs, range(1, total));
    const liveDuringReplay = liveSent - sentAfterDone;
    assert.ok(liveDuringReplay > 0, 'some live messages were sent while the replay ran');
    assert.ok(newBeforeDone > backlog, 'the whole backlog came before sync:done');
    const ids = new Set(receiver.messages(direct).map((m) => m.id));
    assert.equal(ids.size, total);
  });
});
