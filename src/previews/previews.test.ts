/**
 * Link previews through a real node: the send is acknowledged before the
 * preview exists; the members' connections get `message:preview`; history
 * carries it; its image is served to members only; a URL shared twice is
 * fetched once; a refused URL gets no preview (and its failure is cached);
 * CHAT_LINK_PREVIEWS=off fetches nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type PreviewSite, startPreviewSite } from '../testing/preview-site.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/server.js';
import { WsClient } from '../testing/ws.js';

describe('link previews', () => {
  let site: PreviewSite;
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let eve: TestUser;
  let conversationId: string;
  let bobSocket: WsClient;

  before(async () => {
    site = await startPreviewSite();
    server = await startTestServer({ CHAT_LINK_PREVIEW_UNSAFE_ALLOW: `127.0.0.1:${site.port}` });
    [alice, bob, eve] = [await server.api.user('alice'), await server.api.user('bob'), await server.api.user('eve')];
    conversationId = await server.api.direct(alice, bob);
    bobSocket = await WsClient.connect(server.url, bob.token);
    await bobSocket.next('sync:done');
  });

  after(async () => {
    bobSocket?.socket.close();
    await server?.close();
    await site?.close();
  });

  it('acknowledges the send at once, then sends the members the preview and keeps it with the message', async () => {
    const sent = await server.api.send(alice, conversationId, `look at this: ${site.origin}/og-slow?x=1#top, nice`);
    assert.equal(sent.status, 201);
    // The page answers after 1.5 s and had not answered when the send was acknowledged.
    assert.equal(site.served.has('/og-slow?x=1'), false, 'the send waited for the preview');
    assert.equal(sent.body.message.preview, undefined);
    const messageId: string = sent.body.message.id;

    const frame = await bobSocket.next('message:preview', (f) => f.messageId === messageId, 8000);
    assert.equal(frame.conversationId, conversationId);
    assert.equal(frame.seq, sent.body.message.seq);
    assert.equal(frame.preview.url, `${site.origin}/og-slow?x=1`);
    assert.equal(frame.preview.host, '127.0.0.1');
    assert.equal(frame.preview.title, 'The OG title');
    assert.equal(frame.preview.description, 'The OG description & more');
    assert.equal(frame.preview.image?.url, `/api/v1/messages/${messageId}/preview/image`);

    const history = await server.api.request('GET', `/api/v1/conversations/${conversationId}/messages`, {
      token: alice.token,
    });
    const stored = history.body.messages.find((m: { id: string }) => m.id === messageId);
    assert.deepEqual(stored.preview, frame.preview);

    const image = await fetch(`${server.url}${frame.preview.image?.url}`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/webp');
    const bytes = Buffer.from(await image.arrayBuffer());
    assert.equal(bytes.length, frame.preview.image?.size);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(
      [meta.format, meta.width, meta.height],
      ['webp', frame.preview.image?.width, frame.preview.image?.height],
    );

    // Not a member: the same answer as for a message that does not exist.
    const stranger = await server.api.request('GET', `/api/v1/messages/${messageId}/preview/image`, {
      token: eve.token,
    });
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.error.code, 'not_found');
    const anonymous = await server.api.request('GET', `/api/v1/messages/${messageId}/preview/image`);
    assert.equal(anonymous.status, 401);
  });

  it('fetches a URL shared twice once', async () => {
    const url = `${site.origin}/plain?cache=1`;
    const first = await server.api.send(alice, conversationId, `first ${url}`);
    await bobSocket.next('message:preview', (f) => f.messageId === first.body.message.id, 8000);
    const second = await server.api.send(bob, conversationId, `again ${url}`);
    const frame = await bobSocket.next('message:preview', (f) => f.messageId === second.body.message.id, 8000);
    assert.equal(frame.preview.title, 'Plain page');
    assert.equal(site.hits.get('/plain?cache=1'), 1);
    const metrics = await server.api.request('GET', '/metrics');
    assert.match(String(metrics.body), /chat_link_previews_total\{outcome="cached"\} [1-9]/);
    assert.match(String(metrics.body), /chat_link_previews_total\{outcome="fetched"\} [1-9]/);
  });

  it('gives no preview for a refused URL, and remembers the failure', async () => {
    const url = `http://localhost:${site.port}/og?refused=1`;
    const sent = await server.api.send(alice, conversationId, url);
    await server.node.previews?.idle();
    assert.equal(site.hits.get('/og?refused=1'), undefined);
    const cached = await server.node.storage.previews.cached(url, new Date().toISOString());
    assert.equal(cached?.preview, null);
    assert.match(cached?.error ?? '', /RefusedTarget: localhost resolves to .*loopback/);
    assert.equal(
      bobSocket.all('message:preview').some((f) => f.messageId === sent.body.message.id),
      false,
    );
  });

  it('announces nothing for a message deleted while its page was fetched', async () => {
    const sent = await server.api.send(alice, conversationId, `${site.origin}/og-slow?deleted=1`);
    const deleted = await server.api.request('DELETE', `/api/v1/messages/${sent.body.message.id}`, {
      token: alice.token,
    });
    assert.equal(deleted.status, 200);
    await server.node.previews?.idle();
    assert.ok(site.served.has('/og-slow?deleted=1'), 'the page was fetched');
    assert.equal(
      bobSocket.all('message:preview').some((f) => f.messageId === sent.body.message.id),
      false,
    );
    const image = await server.api.request('GET', `/api/v1/messages/${sent.body.message.id}/preview/image`, {
      token: bob.token,
    });
    assert.equal(image.status, 404);
  });

  it('fetches nothing with CHAT_LINK_PREVIEWS=off', async () => {
    const off = await startTestServer({
      CHAT_LINK_PREVIEWS: 'off',
      CHAT_LINK_PREVIEW_UNSAFE_ALLOW: `127.0.0.1:${site.port}`,
    });
    try {
      assert.equal(off.node.previews, null);
      const [a, b] = [await off.api.user('offa'), await off.api.user('offb')];
      const direct = await off.api.direct(a, b);
      const sent = await off.api.send(a, direct, `${site.origin}/og?off=1`);
      assert.equal(sent.status, 201);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(site.hits.get('/og?off=1'), undefined);
      const history = await off.api.request('GET', `/api/v1/conversations/${direct}/messages`, { token: b.token });
      assert.equal(history.body.messages.at(-1).preview, undefined);
      const image = await off.api.request('GET', `/api/v1/messages/${sent.body.message.id}/preview/image`, {
        token: a.token,
      });
      assert.equal(image.status, 404);
    } finally {
      await off.close();
    }
  });
});

describe('link previews at shutdown', () => {
  it('close() ends a fetch in flight at once instead of waiting for its deadline', async () => {
    const site = await startPreviewSite();
    const server = await startTestServer({ CHAT_LINK_PREVIEW_UNSAFE_ALLOW: `127.0.0.1:${site.port}` });
    try {
      const [a, b] = [await server.api.user('sda'), await server.api.user('sdb')];
      const direct = await server.api.direct(a, b);
      await server.api.send(a, direct, `${site.origin}/slow`);
      // The page never finishes; give the fetch time to be under way.
      while (!site.hits.has('/slow')) await new Promise((resolve) => setTimeout(resolve, 20));
      const started = performance.now();
      await server.node.previews?.close();
      assert.ok(performance.now() - started < 2000, `close took ${performance.now() - started} ms`);
      assert.equal(await server.node.storage.previews.cached(`${site.origin}/slow`, new Date().toISOString()), null);
    } finally {
      await server.close();
      await site.close();
    }
  });
});
