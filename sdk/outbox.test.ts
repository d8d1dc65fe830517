/** The send outbox over a scripted socket: order, retries with the same ids, errors, persistence. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ChatApiError } from './errors.js';
import {
  closeFakeClients,
  connected,
  FakeSocket,
  fakeClient,
  memoryStorage,
  message,
  reconnect,
  waitFor,
} from './testkit.js';

describe('Outbox', () => {
  beforeEach(() => FakeSocket.reset());
  afterEach(closeFakeClients);

  it('queues offline, then sends one at a time per conversation, in order', async () => {
    const client = fakeClient();
    const sends = [
      client.send('c1', 'one'),
      client.send('c1', 'two'),
      client.send('c2', 'other'),
      client.send('c1', 'three'),
    ];
    const pending = client.pendingSends();
    assert.deepEqual(
      pending.map((p) => [p.conversationId, p.content]),
      [
        ['c1', 'one'],
        ['c1', 'two'],
        ['c2', 'other'],
        ['c1', 'three'],
      ],
    );
    assert.equal(new Set(pending.map((p) => p.clientMsgId)).size, 4);
    const socket = await connected(client);
    // The head of each conversation only.
    assert.deepEqual(
      socket.sentOf('message:send').map((f) => f.content),
      ['one', 'other'],
    );
    const ids = pending.map((p) => p.clientMsgId);
    let seq = 0;
    for (const [i, id] of [ids[0], ids[2], ids[1], ids[3]].entries()) {
      socket.receive({
        type: 'message:ack',
        clientMsgId: id ?? '',
        message: message(i === 1 ? 'c2' : 'c1', ++seq, id),
      });
    }
    const stored = await Promise.all(sends);
    assert.deepEqual(
      stored.map((m) => m.clientMsgId),
      ids,
    );
    assert.deepEqual(
      socket.sentOf('message:send').map((f) => f.content),
      ['one', 'other', 'two', 'three'],
    );
    assert.deepEqual(client.pendingSends(), []);
  });

  it('resends unacknowledged sends after a reconnect with the same clientMsgIds', async () => {
    const client = fakeClient();
    const first = await connected(client);
    const a = client.send('c1', 'a');
    const b = client.send('c1', 'b');
    const [idA, idB] = client.pendingSends().map((p) => p.clientMsgId);
    assert.deepEqual(
      first.sentOf('message:send').map((f) => f.clientMsgId),
      [idA],
    );
    const second = await reconnect(client);
    assert.deepEqual(
      second.sentOf('message:send').map((f) => f.clientMsgId),
      [idA],
    );
    second.receive({ type: 'message:ack', clientMsgId: idA ?? '', message: message('c1', 1, idA) });
    assert.deepEqual(
      second.sentOf('message:send').map((f) => f.clientMsgId),
      [idA, idB],
    );
    const third = await reconnect(client);
    assert.deepEqual(
      third.sentOf('message:send').map((f) => f.clientMsgId),
      [idB],
    );
    third.receive({ type: 'message:ack', clientMsgId: idB ?? '', message: message('c1', 2, idB) });
    assert.deepEqual(
      (await Promise.all([a, b])).map((m) => m.seq),
      [1, 2],
    );
    assert.deepEqual(client.pendingSends(), []);
  });

  it('retries after a retryable error and rejects on any other, then moves on', async () => {
    const client = fakeClient();
    const failed: string[] = [];
    client.on('sendFailed', ({ send }) => failed.push(send.content));
    const socket = await connected(client);
    const a = client.send('c1', 'a');
    const b = client.send('c1', 'b');
    const [idA, idB] = client.pendingSends().map((p) => p.clientMsgId);
    for (const code of ['unavailable', 'internal_error', 'rate_limited'] as const) {
      const count = socket.sentOf('message:send').length;
      socket.receive({ type: 'error', code, message: 'later', clientMsgId: idA });
      await waitFor(() => socket.sentOf('message:send').length === count + 1, `a retry after ${code}`);
    }
    assert.deepEqual(new Set(socket.sentOf('message:send').map((f) => f.clientMsgId)), new Set([idA]));
    socket.receive({ type: 'error', code: 'forbidden', message: 'only admins may send', clientMsgId: idA });
    await assert.rejects(
      a,
      (error: unknown) => error instanceof ChatApiError && error.code === 'forbidden' && error.status === 403,
    );
    assert.deepEqual(failed, ['a']);
    assert.equal(socket.sentOf('message:send').at(-1)?.clientMsgId, idB);
    socket.receive({ type: 'message:ack', clientMsgId: idB ?? '', message: message('c1', 1, idB) });
    assert.equal((await b).content, 'm1');
  });

  it('rejects an invalid send at once, without a frame', async () => {
    const client = fakeClient();
    const socket = await connected(client);
    await assert.rejects(
      client.send('not an id!', 'x'),
      (e: unknown) => e instanceof ChatApiError && e.code === 'invalid_request',
    );
    await assert.rejects(client.send('c1', 'bad\u0000text'), ChatApiError);
    assert.equal(socket.sentOf('message:send').length, 0);
    assert.deepEqual(client.pendingSends(), []);
  });

  it('keeps the outbox in storage across a reload and sends it with the same ids', async () => {
    const storage = memoryStorage();
    const before = fakeClient({ storage, deviceId: undefined });
    void before.send('c1', 'survives');
    void before.send('c1', 'reloads');
    const saved = before.pendingSends();
    before.close();
    const after = fakeClient({ storage, deviceId: undefined });
    assert.equal(after.deviceId, before.deviceId, 'the generated deviceId is kept');
    assert.deepEqual(
      after.pendingSends().map((p) => p.clientMsgId),
      saved.map((p) => p.clientMsgId),
    );
    const acked: string[] = [];
    after.on('sendAcked', ({ send }) => acked.push(send.clientMsgId));
    const socket = await connected(after);
    assert.ok(socket.url.includes(`deviceId=${before.deviceId}`));
    for (const [i, entry] of saved.entries()) {
      assert.equal(socket.sentOf('message:send').at(-1)?.clientMsgId, entry.clientMsgId);
      socket.receive({
        type: 'message:ack',
        clientMsgId: entry.clientMsgId,
        message: message('c1', i + 1, entry.clientMsgId),
      });
    }
    assert.deepEqual(
      acked,
      saved.map((p) => p.clientMsgId),
    );
    const stored = JSON.parse([...storage.data.values()][0] ?? '{}') as { outbox: unknown[] };
    assert.deepEqual(stored.outbox, []);
  });
});
