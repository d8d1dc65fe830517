/** The session logic over a scripted socket: acks, gap sync, read marks, typing, events. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ChatApiError } from './errors.js';
import { closeFakeClients, connected, FakeSocket, fakeClient, message, reconnect, sleep, waitFor } from './testkit.js';

describe('Session', () => {
  beforeEach(() => FakeSocket.reset());
  afterEach(closeFakeClients);

  it('acks deliveries cumulatively and coalesced, and again for replays after a reconnect', async () => {
    const client = fakeClient();
    const got: number[] = [];
    client.on('message', (m) => got.push(m.seq));
    const socket = await connected(client);
    for (const seq of [1, 2, 3]) socket.receive({ type: 'message:new', message: message('c1', seq) });
    assert.equal(socket.sentOf('message:received').length, 0, 'not coalesced');
    await waitFor(() => socket.sentOf('message:received').length > 0, 'an ack');
    await sleep(40);
    assert.deepEqual(socket.sentOf('message:received'), [{ type: 'message:received', conversationId: 'c1', seq: 3 }]);
    const next = await reconnect(client);
    for (const seq of [2, 3]) next.receive({ type: 'message:new', message: message('c1', seq) });
    next.receive({ type: 'sync:done' });
    assert.deepEqual(next.sentOf('message:received'), [{ type: 'message:received', conversationId: 'c1', seq: 3 }]);
    assert.deepEqual(got, [1, 2, 3]);
  });

  it('asks for an open gap with sync after the connect replay, and delivers in order', async () => {
    const client = fakeClient();
    const got: number[] = [];
    const synced: boolean[] = [];
    client.on('message', (m) => got.push(m.seq));
    client.on('synced', ({ initial }) => synced.push(initial));
    const socket = await connected(client);
    socket.receive({ type: 'message:new', message: message('c1', 1) });
    socket.receive({ type: 'message:new', message: message('c1', 3) });
    const next = await reconnect(client);
    next.receive({ type: 'sync:done' });
    assert.deepEqual(next.sentOf('sync'), [{ type: 'sync', conversations: { c1: 1 }, ref: 'sdk-gaps' }]);
    next.receive({ type: 'message:new', message: message('c1', 2) });
    next.receive({ type: 'message:new', message: message('c1', 3) });
    next.receive({ type: 'sync:done', ref: 'sdk-gaps' });
    assert.deepEqual(got, [1, 2, 3]);
    assert.deepEqual(synced, [true, false]);
  });

  it('sends read marks, queued while offline', async () => {
    const client = fakeClient();
    client.markRead('c1', 4);
    client.markRead('c1', 2);
    const socket = await connected(client);
    assert.deepEqual(socket.sentOf('message:read'), [{ type: 'message:read', conversationId: 'c1', seq: 4 }]);
    client.markRead('c1', 9);
    assert.equal(socket.sentOf('message:read').at(-1)?.seq, 9);
  });

  it('typing goes out on the socket and stops on send (timing: typing.test.ts)', async () => {
    const client = fakeClient({ typingIntervalMs: 10_000 });
    const socket = await connected(client);
    const typingFrames = () => socket.sent.filter((f) => f.type.startsWith('typing')).map((f) => f.type);
    client.typing('c1');
    client.typing('c1');
    assert.deepEqual(typingFrames(), ['typing:start']);
    void client.send('c1', 'done');
    assert.deepEqual(typingFrames(), ['typing:start', 'typing:stop']);
    client.typing('c2');
    client.stopTyping('c2');
    assert.deepEqual(socket.sent.filter((f) => f.type.startsWith('typing')).at(-1), {
      type: 'typing:stop',
      conversationId: 'c2',
    });
  });

  it('maps server frames to typed events', async () => {
    const client = fakeClient();
    const seen: string[] = [];
    client.on('typing', (e) => seen.push(`typing ${e.userId} ${e.typing}`));
    client.on('delivered', (e) => seen.push(`delivered ${e.seq}`));
    client.on('read', (e) => seen.push(`read ${e.seq}`));
    client.on('presence', (e) => seen.push(`presence ${e.status}`));
    client.on('messageUpdated', (m) => seen.push(`updated ${m.id}`));
    client.on('conversationRemoved', (e) => seen.push(`removed ${e.conversationId}`));
    client.on('error', (e) => seen.push(`error ${(e as ChatApiError).code} ${(e as ChatApiError).status}`));
    const socket = await connected(client);
    socket.receive({ type: 'typing:start', conversationId: 'c1', userId: 'u2' });
    socket.receive({ type: 'typing:stop', conversationId: 'c1', userId: 'u2' });
    socket.receive({ type: 'message:delivered', conversationId: 'c1', userId: 'u2', seq: 5 });
    socket.receive({ type: 'message:read', conversationId: 'c1', userId: 'u2', seq: 4 });
    socket.receive({ type: 'presence:update', userId: 'u2', status: 'idle', lastSeen: null });
    socket.receive({ type: 'message:updated', message: message('c1', 1) });
    socket.receive({ type: 'conversation:removed', conversationId: 'c9' });
    socket.receive({ type: 'error', code: 'not_found', message: 'conversation not found' });
    assert.deepEqual(seen, [
      'typing u2 true',
      'typing u2 false',
      'delivered 5',
      'read 4',
      'presence idle',
      'updated c1-1',
      'removed c9',
      'error not_found 404',
    ]);
  });

  it('a throwing listener is reported as an error event, and the others still run', async () => {
    const client = fakeClient();
    const errors: Error[] = [];
    const got: number[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('message', () => {
      throw new Error('app bug');
    });
    client.on('message', (m) => got.push(m.seq));
    const socket = await connected(client);
    socket.receive({ type: 'message:new', message: message('c1', 1) });
    assert.deepEqual(got, [1]);
    assert.equal(errors[0]?.message, 'app bug');
  });
});
