/** The SDK's pins and archive calls and events against the real server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing/server.js';
import type { ChatClient } from './client.js';
import { ChatApiError } from './errors.js';
import type { ChatState, PinnedMessage } from './pins.js';
import { sdkClient, waitFor } from './testkit.js';

describe('ChatClient: pins and archive', () => {
  let server: TestServer;
  const clients: ChatClient[] = [];

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('pins and archives chats, with the state on the other device and in the list', async () => {
    const me = await server.api.user('sdkpin');
    const peers = await Promise.all([1, 2, 3, 4].map((n) => server.api.user(`sdkpeer${n}`)));
    const chats: string[] = [];
    for (const peer of peers) chats.push(await server.api.direct(me, peer));
    const phone = sdkClient(server, me, { deviceId: 'phone' });
    const laptop = sdkClient(server, me, { deviceId: 'laptop' });
    clients.push(phone, laptop);
    const seen: ChatState[] = [];
    laptop.on('conversationState', (state) => seen.push(state));
    await Promise.all([phone.connect(), laptop.connect()]);

    const [c0, c1, c2, c3] = chats as [string, string, string, string];
    for (const chat of [c0, c1, c2]) assert.equal((await phone.pinChat(chat)).pinned, true);
    await assert.rejects(phone.pinChat(c3), (error: unknown) => {
      assert.ok(error instanceof ChatApiError);
      assert.equal(error.code, 'conflict');
      assert.equal(error.status, 409);
      return true;
    });
    const archived = await phone.archiveChat(c3);
    assert.deepEqual(archived, { conversationId: c3, pinned: false, pinnedAt: null, archived: true });
    await waitFor(() => seen.length === 4, 'four state events on the laptop');
    assert.deepEqual(
      seen.map((s) => s.conversationId),
      [c0, c1, c2, c3],
    );

    const all = await laptop.conversations();
    assert.deepEqual(
      all.map((c) => c.id),
      [c2, c1, c0, c3],
    );
    assert.deepEqual(
      (await laptop.conversations({ archived: 'false' })).map((c) => c.id),
      [c2, c1, c0],
    );
    assert.deepEqual(
      (await laptop.conversations({ archived: 'true' })).map((c) => c.id),
      [c3],
    );
    assert.deepEqual(await laptop.updateChatSettings({ keepArchived: true }), { keepArchived: true });
    assert.deepEqual(await phone.chatSettings(), { keepArchived: true });
    assert.equal((await phone.unarchiveChat(c3)).archived, false);
    assert.equal((await phone.unpinChat(c0)).pinned, false);
  });

  it('pins messages, with the list on every member', async () => {
    const [a, b] = await Promise.all([server.api.user('sdkma'), server.api.user('sdkmb')]);
    const chat = await server.api.direct(a, b);
    const alice = sdkClient(server, a);
    const bob = sdkClient(server, b);
    clients.push(alice, bob);
    const bobPins: PinnedMessage[][] = [];
    bob.on('conversationPins', ({ pins }) => bobPins.push(pins));
    await Promise.all([alice.connect(), bob.connect()]);
    const message = await alice.send(chat, 'remember this');
    const pins = await alice.pinMessage(chat, message.id);
    assert.deepEqual(
      pins.map((p) => p.message.content),
      ['remember this'],
    );
    await waitFor(() => bobPins.length === 1, 'the pins on bob');
    assert.equal(bobPins[0]?.[0]?.pinnedBy, a.user.id);
    assert.deepEqual(
      (await bob.pinnedMessages(chat)).map((p) => p.message.id),
      [message.id],
    );
    assert.deepEqual(await bob.unpinMessage(chat, message.id), []);
  });
});
