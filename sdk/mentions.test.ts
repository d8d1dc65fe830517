/** The SDK's mentions and forwarding helpers against a real server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing/server.js';
import { ChatApiError } from './errors.js';
import { mentionSpans } from './protocol.js';
import { ChatRest } from './rest.js';

describe('mentions and forwarding in the SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('finds @names as the server does, and forwards to bare ids or idempotent targets', async () => {
    const [alice, bob, carol] = await Promise.all(['s_alice', 's_bob', 's_carol'].map((n) => server.api.user(n)));
    if (!alice || !bob || !carol) throw new Error('users');
    const groupId = await server.api.group(alice, [bob], 'SDK');
    const directId = await server.api.direct(bob, carol);
    const a = new ChatRest({ baseUrl: server.url, token: alice.token });
    const b = new ChatRest({ baseUrl: server.url, token: bob.token });

    const text = `ping @${bob.user.username}, mail bob@example.com`;
    assert.deepEqual(
      mentionSpans(text).map((s) => text.slice(s.start, s.end)),
      [`@${bob.user.username}`],
    );
    const sent = await a.sendRest(groupId, text);
    assert.deepEqual(sent.mentions, [bob.user.id]);
    const summary = (await b.conversations()).find((c) => c.id === groupId);
    assert.equal(summary?.unreadMentionCount, 1);

    const [copy] = await b.forward(sent.id, [directId]);
    assert.equal(copy?.forwarded, true);
    assert.equal(copy?.conversationId, directId);
    const target = { conversationId: directId, clientMsgId: 'sdk-fw-1' };
    const first = await b.forward(sent.id, [target]);
    const again = await b.forward(sent.id, [target]);
    assert.equal(again[0]?.id, first[0]?.id, 'the same target and clientMsgId answer the first copy');

    const outsider = new ChatRest({ baseUrl: server.url, token: carol.token });
    await assert.rejects(outsider.forward(sent.id, [directId]), (error: unknown) => {
      assert.ok(error instanceof ChatApiError);
      assert.equal(error.code, 'not_found');
      return true;
    });
  });
});
