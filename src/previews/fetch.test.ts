/**
 * Fetching previews from a real local web site: Open Graph and fallback
 * fields, the body cap, the deadline, redirects counted and checked, non-HTML
 * refused, the image re-encoded; and the SSRF refusals against real addresses
 * of this machine, which the allow-list's one address:port does not open.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FsBlobStore } from '../media/fs-blob-store.js';
import { THUMBNAIL_MAX } from '../media/image.js';
import { type PreviewSite, startPreviewSite } from '../testing/preview-site.js';
import { tempDir } from '../testing/server.js';
import { FetchFailed, safeFetch } from './fetch.js';
import { DEFAULT_FETCH_LIMITS, fetchPreview } from './fetch-preview.js';
import { previewBlobKey } from './images.js';
import { RefusedTarget, type TargetPolicy } from './target.js';

const HTML = { accept: (t: string) => t === 'text/html', acceptHeader: 'text/html', truncate: true };

/** A server that must never be reached: counts what reaches it. */
async function tripwire(host: string): Promise<{ origin: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<title>internal secret</title>');
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function ipv6LoopbackWorks(): Promise<boolean> {
  const server = http.createServer();
  try {
    server.listen(0, '::1');
    await once(server, 'listening');
    server.close();
    return true;
  } catch {
    return false;
  }
}

describe('link preview fetching', () => {
  let site: PreviewSite;
  let internal: Awaited<ReturnType<typeof tripwire>>;
  let policy: TargetPolicy;
  let dir: string;
  let blobs: FsBlobStore;

  before(async () => {
    site = await startPreviewSite();
    internal = await tripwire('127.0.0.1');
    site.redirectElsewhere = `${internal.origin}/admin`;
    // Only the site's own address and port: the same address on another port stays refused.
    policy = { allowPrivate: new Set([`127.0.0.1:${site.port}`]) };
    dir = await tempDir('chat-previews-');
    blobs = new FsBlobStore(join(dir, 'blobs'));
  });

  after(async () => {
    await site.close();
    await internal.close();
    await rm(dir, { recursive: true, force: true });
  });

  const preview = (path: string, limits = DEFAULT_FETCH_LIMITS) =>
    fetchPreview(new URL(path, site.origin), { policy, limits, blobs, maxPixels: 40_000_000 });

  it('reads og:title, og:description and og:image, and stores the image re-encoded and bounded', async () => {
    const result = await preview('/og');
    assert.equal(result.title, 'The OG title');
    assert.equal(result.description, 'The OG description & more');
    assert.equal(result.host, '127.0.0.1');
    assert.ok(result.image, 'no image');
    const { image } = result;
    assert.equal(image.mimeType, 'image/webp');
    // 1200×800 scaled into THUMBNAIL_MAX, aspect kept.
    assert.deepEqual([image.width, image.height], [THUMBNAIL_MAX, Math.round((THUMBNAIL_MAX * 800) / 1200)]);
    const stream = await blobs.read(image.key);
    assert.ok(stream, 'the blob was not stored');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes.length, image.size);
    assert.equal(previewBlobKey(bytes), image.key);
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.format, 'webp');
    assert.ok((meta.width ?? 0) <= THUMBNAIL_MAX && (meta.height ?? 0) <= THUMBNAIL_MAX);
    assert.equal(meta.exif, undefined);
  });

  it('falls back to <title> and meta description', async () => {
    const result = await preview('/plain');
    assert.deepEqual([result.title, result.description, result.image], ['Plain page', 'Described plainly', null]);
  });

  it('cuts an oversized page at 1 MB and closes the connection instead of reading on', async () => {
    const fetched = await safeFetch(new URL('/big', site.origin), policy, DEFAULT_FETCH_LIMITS, HTML);
    assert.equal(fetched.truncated, true);
    assert.equal(fetched.body.length, DEFAULT_FETCH_LIMITS.maxBytes);
    // The server stopped being read long before its 8 MB were out (socket buffers hold a few hundred kB).
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(site.bigBytesWritten() < site.bigSize / 2, `server wrote ${site.bigBytesWritten()} bytes`);
    assert.equal((await preview('/big')).title, 'Big page');
  });

  it('gives up on a slow page at the deadline (5 s by default)', async () => {
    const started = performance.now();
    await assert.rejects(safeFetch(new URL('/slow', site.origin), policy, DEFAULT_FETCH_LIMITS, HTML), (err) => {
      assert.ok(err instanceof FetchFailed);
      assert.match(err.message, /no answer within 5000 ms/);
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 4900 && elapsed < 6500, `took ${elapsed} ms`);
  });

  it('follows at most 3 redirects', async () => {
    const three = await safeFetch(new URL('/redirect/3', site.origin), policy, DEFAULT_FETCH_LIMITS, HTML);
    assert.equal(three.redirects, 3);
    assert.equal(three.url.pathname, '/og');
    const before = site.hits.get('/og') ?? 0;
    await assert.rejects(
      safeFetch(new URL('/redirect/4', site.origin), policy, DEFAULT_FETCH_LIMITS, HTML),
      /more than 3 redirects/,
    );
    assert.equal(site.hits.get('/og') ?? 0, before, 'the fourth redirect was followed');
  });

  it('refuses a redirect to a private address (the allowed host, another port) without connecting', async () => {
    await assert.rejects(preview('/to-elsewhere'), (err) => {
      assert.ok(err instanceof RefusedTarget, String(err));
      assert.match(err.message, /127\.0\.0\.1 is a loopback address/);
      return true;
    });
    assert.equal(site.hits.get('/to-elsewhere'), 1);
    assert.equal(internal.hits(), 0);
  });

  it('ignores what is not HTML', async () => {
    await assert.rejects(preview('/json'), /content type application\/json is not fetched/);
  });

  it('keeps the card but drops an image over the cap', async () => {
    const failures: string[] = [];
    const result = await fetchPreview(new URL('/huge-image-page', site.origin), {
      policy,
      limits: DEFAULT_FETCH_LIMITS,
      blobs,
      maxPixels: 40_000_000,
      onImageFailure: (_url, error) => failures.push(String(error)),
    });
    assert.equal(result.title, 'Huge image');
    assert.equal(result.image, null);
    assert.match(failures.join(), /larger than 1048576 bytes/);
  });

  it('drops an image over the pixel limit, judged from its header', async () => {
    const failures: string[] = [];
    const result = await fetchPreview(new URL('/og', site.origin), {
      policy,
      limits: DEFAULT_FETCH_LIMITS,
      blobs,
      maxPixels: 1200 * 800 - 1,
      onImageFailure: (_url, error) => failures.push(String(error)),
    });
    assert.equal(result.title, 'The OG title');
    assert.equal(result.image, null);
    assert.match(failures.join(), /at most 959999 pixels/);
  });

  it("refuses this machine's private addresses however they are named", async () => {
    const port = internal.origin.split(':').at(-1);
    const targets = [
      `${internal.origin}/`, // 127.0.0.1, a port not on the allow-list
      `http://localhost:${port}/`, // a name resolving to loopback
      `http://[::ffff:127.0.0.1]:${port}/`, // IPv4-mapped IPv6
      `http://[::ffff:127.0.0.1]:${site.port}/og`, // ... even on the allow-listed port
      `http://localhost:${site.port}/og`, // the allow-list names an address, never a name
      `http://2130706433:${port}/`, // 127.0.0.1 as one number
      'http://10.0.0.1/', // private (refused before any connection attempt)
      'http://169.254.169.254/latest/meta-data/', // cloud metadata
      'http://[fd00::1]/',
    ];
    for (const target of targets) {
      const started = performance.now();
      await assert.rejects(preview(target), RefusedTarget, target);
      assert.ok(performance.now() - started < 1000, `${target} was not refused at once`);
    }
    assert.equal(internal.hits(), 0);
  });

  it('refuses ::1 with a server listening there', async (t) => {
    if (!(await ipv6LoopbackWorks())) {
      t.skip('no IPv6 loopback on this machine');
      return;
    }
    const v6 = await tripwire('::1');
    try {
      await assert.rejects(preview(`${v6.origin}/`), /::1 is a loopback address/);
      assert.equal(v6.hits(), 0);
    } finally {
      await v6.close();
    }
  });

  it('sends no compressed-body request and no credentials', async () => {
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const server = http.createServer((req, res) => {
        resolve(req.headers);
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<title>t</title>');
        server.close();
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        safeFetch(
          new URL(`http://127.0.0.1:${port}/`),
          { allowPrivate: new Set([`127.0.0.1:${port}`]) },
          DEFAULT_FETCH_LIMITS,
          HTML,
        ).catch(reject);
      });
    });
    assert.equal(headers['accept-encoding'], 'identity');
    assert.equal(headers.cookie, undefined);
    assert.equal(headers.authorization, undefined);
  });

  it('keys preview blobs apart from media blobs of the same bytes', async () => {
    const bytes = await readFile(new URL(import.meta.url));
    assert.notEqual(previewBlobKey(bytes), createHash('sha256').update(bytes).digest('hex'));
  });
});
