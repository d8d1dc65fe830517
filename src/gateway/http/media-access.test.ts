/**
 * Media in messages and who may fetch it: attaching media (REST and WebSocket),
 * the media object on messages and in history, authorization of outsiders and
 * removed members, and conditional and partial downloads (ETag/304,
 * Range/206/416) with the caching and safety headers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Media, Message } from '../../protocol/dto.js';
import { assertError } from '../../testing/assertions.js';
import { download, upload, uploaded } from '../../testing/media-client.js';
import { jpeg, pdf, png } from '../../testing/media-fixtures.js';
import { type ApiResponse, startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { WsClient } from '../../testing/ws.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let mallory: TestUser;

before(async () => {
  server = await startTestServer();
  alice = await server.api.user('alice');
  bob = await server.api.user('bob');
  carol = await server.api.user('carol');
  mallory = await server.api.user('mallory');
});
after(() => server.close());

async function send(
  user: TestUser,
  conversationId: string,
  extra: Record<string, unknown>,
): Promise<ApiResponse<{ message: Message } & Record<string, unknown>>> {
  return server.api.request('POST', '/api/v1/messages', {
    token: user.token,
    body: { conversationId, clientMsgId: `c-${randomBytes(6).toString('hex')}`, content: '', ...extra },
  });
}

const uniquePng = () => png(64 + Math.floor(Math.random() * 200), 48, `#${randomBytes(3).toString('hex')}`);

function assertMediaObject(media: Media | null, expected: Media): void {
  assert.ok(media, 'the message carries media');
  assert.deepEqual(media, expected);
  for (const key of ['id', 'url', 'mimeType', 'size', 'width', 'height', 'thumbnailUrl']) {
    assert.ok(key in media, `media.${key}`);
  }
}

describe('media in messages', () => {
  it('sends an image message that carries the media object, in the answer, history and lists', async () => {
    const group = await server.api.group(alice, [bob], 'photos');
    const media = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'p.png' });
    const sent = await send(alice, group, { type: 'image', mediaId: media.id, content: 'look' });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.message.type, 'image');
    assertMediaObject(sent.body.message.media, media);

    const history = await server.api.request('GET', `/api/v1/conversations/${group}/messages`, { token: bob.token });
    const last = (history.body.messages as Message[]).at(-1);
    assertMediaObject(last?.media ?? null, media);
    const list = await server.api.request('GET', `/api/v1/users/${bob.user.id}/conversations`, { token: bob.token });
    const entry = (list.body.conversations as { id: string; lastMessage: Message | null }[]).find(
      (c) => c.id === group,
    );
    assertMediaObject(entry?.lastMessage?.media ?? null, media);

    // A member can now fetch it and its thumbnail; a repeat of the send answers the same.
    assert.equal((await download(server, bob, media.url)).status, 200);
    assert.equal((await download(server, bob, media.thumbnailUrl!)).status, 200);
  });

  it('infers the type from the media, and takes anything as a file', async () => {
    const direct = await server.api.direct(alice, bob);
    const image = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'i.png' });
    const doc = await uploaded(server, alice, { bytes: pdf(randomBytes(4).toString('hex')), fileName: 'd.pdf' });
    const inferred = await send(alice, direct, { mediaId: image.id });
    assert.equal(inferred.status, 201);
    assert.equal(inferred.body.message.type, 'image');
    const inferredFile = await send(alice, direct, { mediaId: doc.id });
    assert.equal(inferredFile.body.message.type, 'file');
    const asFile = await send(alice, direct, { type: 'file', mediaId: image.id, content: 'original' });
    assert.equal(asFile.status, 201);
    assert.equal(asFile.body.message.media?.id, image.id);
  });

  it('refuses media of the wrong kind, text with media, and media that is not the sender’s', async () => {
    const direct = await server.api.direct(alice, bob);
    const image = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'i.png' });
    const doc = await uploaded(server, alice, { bytes: pdf(randomBytes(4).toString('hex')), fileName: 'd.pdf' });
    assertError(await send(alice, direct, { type: 'image', mediaId: doc.id }), 400, 'invalid_request');
    assertError(await send(alice, direct, { type: 'video', mediaId: image.id }), 400, 'invalid_request');
    assertError(await send(alice, direct, { type: 'text', content: 'hi', mediaId: image.id }), 400, 'invalid_request');
    assertError(await send(alice, direct, { type: 'image' }), 400, 'invalid_request');
    // Bob knows the id (he can see it once sent) but only the uploader attaches it.
    await send(alice, direct, { type: 'image', mediaId: image.id });
    assertError(await send(bob, direct, { type: 'image', mediaId: image.id }), 404, 'not_found');
    assertError(await send(alice, direct, { type: 'image', mediaId: 'no-such-media' }), 404, 'not_found');
  });

  it('lets the uploader forward the same media to another conversation, whose members may then fetch it', async () => {
    const first = await server.api.direct(alice, bob);
    const second = await server.api.direct(alice, carol);
    const media = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'f.png' });
    assert.equal((await send(alice, first, { type: 'image', mediaId: media.id })).status, 201);
    assert.equal((await download(server, carol, media.url)).status, 404, 'not yet sent to carol');
    const forwarded = await send(alice, second, { type: 'image', mediaId: media.id });
    assert.equal(forwarded.status, 201);
    assert.equal(forwarded.body.message.media?.id, media.id);
    assert.equal((await download(server, carol, media.url)).status, 200);
  });

  it('removes the media of a message deleted for everyone', async () => {
    const direct = await server.api.direct(alice, carol);
    const media = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'del.png' });
    const sent = await send(alice, direct, { type: 'image', mediaId: media.id });
    assert.equal((await download(server, carol, media.url)).status, 200);
    const deleted = await server.api.request('DELETE', `/api/v1/messages/${sent.body.message.id}`, {
      token: alice.token,
    });
    assert.equal(deleted.body.message.media, null);
    assert.equal((await download(server, carol, media.url)).status, 404);
    assert.equal((await download(server, alice, media.url)).status, 200, 'the uploader keeps it');
  });

  it('attaches media over the WebSocket: the ack and the other member’s message:new carry it', async () => {
    const direct = await server.api.direct(alice, bob);
    const media = await uploaded(server, alice, { bytes: await jpeg(120, 90), fileName: 'ws.jpg' });
    const sender = await WsClient.ready(server.url, alice.token);
    const receiver = await WsClient.ready(server.url, bob.token);
    try {
      sender.send({
        type: 'message:send',
        clientMsgId: 'ws-media-1',
        conversationId: direct,
        content: 'via ws',
        messageType: 'image',
        mediaId: media.id,
      });
      const ack = await sender.next('message:ack', (f) => f.clientMsgId === 'ws-media-1');
      assertMediaObject((ack.message as Message).media, media);
      const live = await receiver.next('message:new', (f) => (f.message as Message).clientMsgId === 'ws-media-1');
      assertMediaObject((live.message as Message).media, media);

      sender.send({
        type: 'message:send',
        clientMsgId: 'ws-media-2',
        conversationId: direct,
        content: '',
        messageType: 'image',
        mediaId: 'not-mine',
      });
      const error = await sender.next('error', (f) => f.clientMsgId === 'ws-media-2');
      assert.equal(error.code, 'not_found');
    } finally {
      await sender.close();
      await receiver.close();
    }
  });
});

describe('who may fetch media', () => {
  it('answers 404 to outsiders and for unknown ids, and 401 without a token', async () => {
    const direct = await server.api.direct(alice, bob);
    const media = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'secret.png' });
    assert.equal((await download(server, bob, media.url)).status, 404, 'not sent yet: only the uploader');
    await send(alice, direct, { type: 'image', mediaId: media.id });
    for (const path of [media.url, media.thumbnailUrl!]) {
      const outsider = await download(server, mallory, path);
      assert.equal(outsider.status, 404);
      assert.equal((outsider.json as { error: { code: string } }).error.code, 'not_found');
      assert.equal(outsider.headers.get('etag'), null, 'nothing about the media leaks');
      assert.equal(outsider.headers.get('x-content-type-options'), 'nosniff');
      assert.equal((await download(server, null, path)).status, 401);
    }
    assert.equal((await download(server, alice, '/api/v1/media/no-such-id')).status, 404);
    assert.equal((await download(server, alice, '/api/v1/media/no-such-id/thumbnail')).status, 404);
  });

  it('keeps what a removed member saw, and nothing sent after its removal', async () => {
    const group = await server.api.group(alice, [bob, carol], 'window');
    const before = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'before.png' });
    const afterRemoval = await uploaded(server, alice, { bytes: await uniquePng(), fileName: 'after.png' });
    await send(alice, group, { type: 'image', mediaId: before.id });
    const removed = await server.api.request('DELETE', `/api/v1/groups/${group}/members/${carol.user.id}`, {
      token: alice.token,
    });
    assert.equal(removed.status, 200);
    await send(alice, group, { type: 'image', mediaId: afterRemoval.id });
    assert.equal((await download(server, carol, before.url)).status, 200);
    assert.equal((await download(server, carol, before.thumbnailUrl!)).status, 200);
    assert.equal((await download(server, carol, afterRemoval.url)).status, 404);
    assert.equal((await download(server, carol, afterRemoval.thumbnailUrl!)).status, 404);
    assert.equal((await download(server, bob, afterRemoval.url)).status, 200);
  });
});

describe('downloads', () => {
  let media: Media;
  let bytes: Buffer;

  before(async () => {
    media = await uploaded(server, alice, { bytes: await png(300, 200, '#123456'), fileName: 'range.png' });
    bytes = (await download(server, alice, media.url)).bytes;
    assert.equal(bytes.length, media.size);
  });

  it('sends the ETag, immutable private caching, nosniff and inline disposition for images', async () => {
    const res = await download(server, alice, media.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('etag') ?? '', /^"[0-9a-f]{64}"$/);
    assert.equal(res.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.match(res.headers.get('content-disposition') ?? '', /^inline; filename="range.png"/);
    assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    const thumb = await download(server, alice, media.thumbnailUrl!);
    assert.equal(thumb.headers.get('x-content-type-options'), 'nosniff');
    assert.notEqual(thumb.headers.get('etag'), res.headers.get('etag'));
  });

  it('answers 304 to If-None-Match with its ETag, and 200 to another', async () => {
    const etag = (await download(server, alice, media.url)).headers.get('etag') ?? '';
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await download(server, alice, media.url, { 'if-none-match': value });
      assert.equal(res.status, 304, value);
      assert.equal(res.bytes.length, 0);
      assert.equal(res.headers.get('etag'), etag);
    }
    assert.equal((await download(server, alice, media.url, { 'if-none-match': '"other"' })).status, 200);
  });

  it('serves byte ranges with 206 and refuses unsatisfiable ones with 416', async () => {
    const size = bytes.length;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, size - 1],
      ['bytes=-25', size - 25, size - 1],
      [`bytes=10-${size + 1000}`, 10, size - 1],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await download(server, alice, media.url, { range });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`);
      assert.equal(Number(res.headers.get('content-length')), end - start + 1);
      assert.deepEqual(res.bytes, bytes.subarray(start, end + 1), range);
    }
    const unsatisfiable = await download(server, alice, media.url, { range: `bytes=${size}-` });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${size}`);
    assert.equal((unsatisfiable.json as { error: { code: string } }).error.code, 'range_not_satisfiable');
    // Malformed and multiple ranges: the whole file.
    for (const range of ['bytes=5-1', 'lines=1-2', 'bytes=0-1,4-5']) {
      const res = await download(server, alice, media.url, { range });
      assert.equal(res.status, 200, range);
      assert.deepEqual(res.bytes, bytes);
    }
    // If-Range with a stale validator: the whole file; with the current ETag: the range.
    const etag = (await download(server, alice, media.url)).headers.get('etag') ?? '';
    assert.equal((await download(server, alice, media.url, { range: 'bytes=0-9', 'if-range': '"old"' })).status, 200);
    assert.equal((await download(server, alice, media.url, { range: 'bytes=0-9', 'if-range': etag })).status, 206);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await download(server, alice, media.url, {}, 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.equal(res.bytes.length, 0);
  });

  it('serves files other than images and media as attachments', async () => {
    const doc = await uploaded(server, alice, { bytes: pdf('attach'), fileName: "it's 100% (ok).pdf" });
    const res = await download(server, alice, doc.url);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="it's 100_ (ok).pdf"; filename*=UTF-8''it%27s%20100%25%20%28ok%29.pdf`,
    );
  });

  it('never serves a refused upload', async () => {
    const res = await upload(server, alice, { bytes: Buffer.from('<svg/>'), fileName: 'x.svg', type: 'image/svg+xml' });
    assertError(res, 415, 'unsupported_media_type');
  });
});
