/**
 * Where media goes and when it leaves: the per-user quota, the orphan sweep
 * (called with a fake "now", and on its timer), blobs shared by identical
 * uploads, and a node whose blobs live in S3 (an in-process fake S3 server).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../../testing/assertions.js';
import { type FakeS3, startFakeS3 } from '../../testing/fake-s3.js';
import { download, upload, uploaded } from '../../testing/media-client.js';
import { pdf, png } from '../../testing/media-fixtures.js';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { waitFor } from '../../testing/ws.js';

const HOUR = 3600 * 1000;

async function blobFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'media', 'blobs');
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else out.push(entry.name);
    }
  };
  await walk(root);
  return out.sort();
}

const uniquePdf = () => pdf(randomBytes(8).toString('hex'));

describe('quota', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CHAT_MEDIA_QUOTA_BYTES: '2000' });
  });
  after(() => server.close());

  it('refuses uploads past the per-user quota with 413 and a clear message', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const first = await uploaded(server, alice, { bytes: uniquePdf(), fileName: 'a.pdf' });
    const second = await uploaded(server, alice, { bytes: uniquePdf(), fileName: 'b.pdf' });
    assert.ok(first.size + second.size < 2000);
    let used = first.size + second.size;
    let refused: Awaited<ReturnType<typeof upload>> | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await upload(server, alice, { bytes: uniquePdf(), fileName: `n${i}.pdf` });
      if (res.status === 201) used += res.body.media.size;
      else refused = res;
    }
    assert.ok(refused, 'the quota ran out');
    assertError(refused, 413, 'payload_too_large');
    assert.match(JSON.stringify(refused.body), /quota/);
    assert.ok(used <= 2000);
    // Another user's quota is its own.
    assert.equal((await upload(server, bob, { bytes: uniquePdf(), fileName: 'bob.pdf' })).status, 201);
  });
});

describe('orphan sweep', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('removes uploads never attached after 24 h, with their blobs, and keeps attached ones', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const direct = await server.api.direct(alice, bob);
    const attached = await uploaded(server, alice, { bytes: await png(100, 80, '#aa0000'), fileName: 'kept.png' });
    const orphan = await uploaded(server, alice, { bytes: await png(90, 80, '#00aa00'), fileName: 'gone.png' });
    const orphanFile = await uploaded(server, alice, { bytes: uniquePdf(), fileName: 'gone.pdf' });
    const sent = await server.api.request('POST', '/api/v1/messages', {
      token: alice.token,
      body: { conversationId: direct, clientMsgId: 'sweep-1', type: 'image', content: '', mediaId: attached.id },
    });
    assert.equal(sent.status, 201);
    const before = await blobFiles(server.dataDir);
    assert.equal(before.length, 5, 'two images with thumbnails and a PDF');

    // Within the day: nothing goes.
    assert.deepEqual(await server.node.media.sweep(new Date(Date.now() + 23 * HOUR)), { removed: 0, blobsDeleted: 0 });
    const swept = await server.node.media.sweep(new Date(Date.now() + 25 * HOUR));
    assert.deepEqual(swept, { removed: 2, blobsDeleted: 3 });

    for (const media of [orphan, orphanFile]) assert.equal((await download(server, alice, media.url)).status, 404);
    assert.equal((await download(server, bob, attached.url)).status, 200);
    assert.equal((await download(server, bob, attached.thumbnailUrl!)).status, 200);
    assert.equal((await blobFiles(server.dataDir)).length, 2);
    // Sending an orphan that was swept: it is gone.
    const late = await server.api.request('POST', '/api/v1/messages', {
      token: alice.token,
      body: { conversationId: direct, clientMsgId: 'sweep-2', type: 'image', content: '', mediaId: orphan.id },
    });
    assertError(late, 404, 'not_found');
  });

  it('counts a repeated upload or an attachment as use, and keeps blobs other uploads share', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const direct = await server.api.direct(bob, alice);
    const bytes = uniquePdf();
    const mine = await uploaded(server, alice, { bytes, fileName: 'mine.pdf' });
    const theirs = await uploaded(server, bob, { bytes, fileName: 'theirs.pdf' });
    assert.notEqual(mine.id, theirs.id);
    await server.api.request('POST', '/api/v1/messages', {
      token: bob.token,
      body: { conversationId: direct, clientMsgId: 'share-1', type: 'file', content: '', mediaId: theirs.id },
    });
    const blobsBefore = await blobFiles(server.dataDir);
    const swept = await server.node.media.sweep(new Date(Date.now() + 25 * HOUR));
    assert.equal(swept.removed, 1, 'alice’s copy, never sent');
    assert.equal(swept.blobsDeleted, 0, 'bob’s message still needs the same bytes');
    assert.deepEqual(await blobFiles(server.dataDir), blobsBefore);
    assert.deepEqual((await download(server, alice, theirs.url)).bytes, bytes);
  });
});

describe('the sweep timer', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CHAT_MEDIA_ORPHAN_TTL_SECONDS: '1', CHAT_MEDIA_SWEEP_INTERVAL_SECONDS: '1' });
  });
  after(() => server.close());

  it('sweeps on its own, on the node’s timer', async () => {
    const alice = await server.api.user('alice');
    const media = await uploaded(server, alice, { bytes: uniquePdf(), fileName: 'timer.pdf' });
    await waitFor(
      'the sweep to run',
      async () => ((await download(server, alice, media.url)).status === 404 ? true : undefined),
      10_000,
      100,
    );
    assert.deepEqual(await blobFiles(server.dataDir), []);
  });
});

describe('blobs in S3', () => {
  let fake: FakeS3;
  let server: TestServer;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  before(async () => {
    fake = await startFakeS3();
    // The SDK takes credentials from the standard environment.
    process.env.AWS_ACCESS_KEY_ID = 'test-key';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    server = await startTestServer({ CHAT_S3_ENDPOINT: fake.endpoint, CHAT_S3_BUCKET: 'chat-media' });
  });
  after(async () => {
    await server?.close();
    await fake?.close();
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('stores uploads as content-addressed objects and serves them, ranges included', async () => {
    const alice = await server.api.user('alice');
    const media = await uploaded(server, alice, { bytes: await png(400, 300), fileName: 's3.png' });
    const names = [...fake.objects.keys()];
    assert.equal(names.length, 2, 'file and thumbnail');
    for (const name of names) assert.match(name, /^chat-media\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    assert.deepEqual(await blobFiles(server.dataDir), [], 'nothing on the local disk');
    const whole = await download(server, alice, media.url);
    assert.equal(whole.status, 200);
    assert.equal(whole.bytes.length, media.size);
    const part = await download(server, alice, media.url, { range: 'bytes=8-15' });
    assert.equal(part.status, 206);
    assert.deepEqual(part.bytes, whole.bytes.subarray(8, 16));
    assert.equal((await server.node.media.sweep(new Date(Date.now() + 25 * 3600 * 1000))).removed, 1);
    assert.equal(fake.objects.size, 0, 'the sweep deleted the objects');
  });
});
