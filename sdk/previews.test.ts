/** `message:preview` frames become `messagePreview` events. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ChatEventMap } from './events.js';
import { closeFakeClients, connected, FakeSocket, fakeClient } from './testkit.js';

describe('link previews in the SDK', () => {
  beforeEach(() => FakeSocket.reset());
  afterEach(closeFakeClients);

  it('emits messagePreview with the frame payload', async () => {
    const client = fakeClient();
    const seen: ChatEventMap['messagePreview'][] = [];
    client.on('messagePreview', (event) => seen.push(event));
    const socket = await connected(client);
    const preview = { url: 'https://example.com/', host: 'example.com', title: 'T', description: null, image: null };
    socket.receive({ type: 'message:preview', conversationId: 'c1', messageId: 'm1', seq: 3, preview });
    assert.deepEqual(seen, [{ conversationId: 'c1', messageId: 'm1', seq: 3, preview }]);
  });
});
