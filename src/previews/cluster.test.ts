/**
 * Link previews on two nodes sharing PostgreSQL and Redis: the node that
 * stored the message fetches the preview, a member connected to the other
 * node gets `message:preview` through the bus, history on either node carries
 * it, and the cache is shared: the URL sent again through the other node is
 * not fetched again. Skipped without PostgreSQL or Redis (fails under CI).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { type PreviewSite, startPreviewSite } from '../testing/preview-site.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { dropPrefix, REDIS_URL, redisUnreachable, requireServices, testPrefix } from '../testing/services.js';
import { WsClient } from '../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('link previews on two nodes', reasons, () => {
  describe('link previews on two nodes', () => {
    let site: PreviewSite;
    let a: TestServer;
    let b: TestServer;
    let schema: string;
    const prefix = testPrefix();
    let socket: WsClient | undefined;

    before(async () => {
      site = await startPreviewSite();
      schema = await createSchema(DATABASE_URL);
      const env = (nodeId: string) => ({
        DATABASE_URL,
        CHAT_DATABASE_SCHEMA: schema,
        CHAT_DATABASE_POOL_SIZE: '4',
        REDIS_URL,
        CHAT_REDIS_PREFIX: prefix,
        CHAT_NODE_ID: nodeId,
        CHAT_LINK_PREVIEW_UNSAFE_ALLOW: `127.0.0.1:${site.port}`,
      });
      a = await startTestServer(env('a'));
      b = await startTestServer(env('b'));
    });

    after(async () => {
      await socket?.close();
      await Promise.all([a?.close(), b?.close()]);
      await dropSchema(DATABASE_URL, schema);
      await dropPrefix(prefix);
      await site?.close();
    });

    it('reaches a member on the other node and shares the cache', async () => {
      const [alice, bob] = [await a.api.user('palice'), await a.api.user('pbob')];
      const conversationId = await a.api.direct(alice, bob);
      socket = await WsClient.ready(b.url, bob.token);

      const sent = await a.api.send(alice, conversationId, `on node a: ${site.origin}/og?cluster=1`);
      assert.equal(sent.status, 201);
      const frame = await socket.next('message:preview', (f) => f.messageId === sent.body.message.id, 10_000);
      assert.equal(frame.preview.title, 'The OG title');

      const history = await b.api.request('GET', `/api/v1/conversations/${conversationId}/messages`, {
        token: bob.token,
      });
      assert.deepEqual(history.body.messages.at(-1).preview, frame.preview);

      const again = await b.api.send(bob, conversationId, `via node b: ${site.origin}/og?cluster=1`);
      const second = await socket.next('message:preview', (f) => f.messageId === again.body.message.id, 10_000);
      assert.equal(second.preview.title, 'The OG title');
      assert.equal(site.hits.get('/og?cluster=1'), 1, 'the other node fetched the URL again');
    });
  });
});
