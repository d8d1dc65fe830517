/**
 * The SDK's reactions against the real server: react/unreact/reactions over
 * REST, live `reaction` events, the change cursor kept across a cut
 * connection (what was missed is replayed once, in order), a cursor handed to
 * a new client, and `conversationRead` from another device.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing/server.js';
import type { ChatClient } from './client.js';
import type { Message, ReactionEvent } from './protocol.js';
import { faultySockets, type SocketControl, sdkClient, sleep, waitFor } from './testkit.js';

describe('ChatClient reactions', () => {
  let server: TestServer;
  const clients: ChatClient[] = [];
  const track = (client: ChatClient) => {
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('reacts, hears reactions live, and catches up on the changes missed while cut off', async () => {
    const alice = await server.api.user('sdkr_a');
    const bob = await server.api.user('sdkr_b');
    const conversationId = await server.api.direct(alice, bob);
    const a = track(sdkClient(server, alice));
    const control: SocketControl = { sockets: [] };
    const b = track(
      sdkClient(server, bob, { WebSocket: faultySockets(control), reconnect: { baseMs: 200, maxMs: 200 } }),
    );
    const heard: ReactionEvent[] = [];
    const updated: Message[] = [];
    b.on('reaction', (event) => heard.push(event));
    b.on('messageUpdated', (message) => updated.push(message));
    const synced = new Promise((resolve) => b.once('changesSynced', resolve));
    await Promise.all([a.connect(), b.connect()]);
    await synced;

    const message = await a.send(conversationId, 'react to this');
    const outcome = await b.react(message.id, '👍');
    assert.deepEqual(outcome.reactions, [{ emoji: '👍', count: 1, me: true }]);
    await waitFor(() => heard.length === 1, 'the live reaction');
    assert.equal(heard[0]?.emoji, '👍');
    assert.equal(heard[0]?.userId, bob.user.id);

    // Cut off, and kept off (every new socket is cut at hello) while the changes are made.
    control.cutOnReceive = (frame) => frame.type === 'hello';
    control.sockets[0]?.cut();
    await waitFor(() => b.state === 'connecting', 'the disconnect');
    await a.react(message.id, '❤️');
    await a.editMessage(message.id, 'react to this, edited');
    await b.unreact(message.id);
    assert.equal(heard.length, 1, 'nothing heard while cut off');
    const resynced = new Promise((resolve) => b.once('changesSynced', resolve));
    control.cutOnReceive = undefined;
    await resynced;
    await sleep(100);
    assert.deepEqual(
      heard.map((e) => [e.changeSeq, e.userId, e.emoji]),
      [
        [1, bob.user.id, '👍'],
        [2, alice.user.id, '❤️'],
        [4, bob.user.id, null],
      ],
    );
    assert.deepEqual(
      updated.map((m) => m.content),
      ['react to this, edited'],
    );
    assert.equal(b.changeCursors()[conversationId], 4);
    assert.deepEqual(await b.reactions(message.id), [
      { userId: alice.user.id, emoji: '❤️', at: (await b.reactions(message.id))[0]?.at },
    ]);

    // A new client given the saved cursor replays only what came after it.
    b.close();
    await a.react(message.id, '🎉');
    const later = track(sdkClient(server, bob, { changeCursors: { [conversationId]: 4 } }));
    const replayed: ReactionEvent[] = [];
    later.on('reaction', (event) => replayed.push(event));
    const done = new Promise((resolve) => later.once('changesSynced', resolve));
    await later.connect();
    await done;
    assert.deepEqual(
      replayed.map((e) => [e.changeSeq, e.emoji]),
      [[5, '🎉']],
    );
  });

  it('tells the reader’s other device that the conversation was read', async () => {
    const alice = await server.api.user('sdkcr_a');
    const bob = await server.api.user('sdkcr_b');
    const conversationId = await server.api.direct(alice, bob);
    const phone = track(sdkClient(server, alice, { deviceId: 'phone' }));
    const laptop = track(sdkClient(server, alice, { deviceId: 'laptop' }));
    const b = track(sdkClient(server, bob));
    await Promise.all([phone.connect(), laptop.connect(), b.connect()]);
    const sent = await b.send(conversationId, 'read me');
    const reads: Array<{ conversationId: string; seq: number }> = [];
    laptop.on('conversationRead', (event) => reads.push(event));
    await waitFor(() => phone.cursors()[conversationId] === sent.seq, 'the phone has the message');
    phone.markRead(conversationId, sent.seq);
    await waitFor(() => reads.length === 1, 'conversationRead on the laptop');
    assert.deepEqual(reads, [{ conversationId, seq: sent.seq }]);
  });
});
