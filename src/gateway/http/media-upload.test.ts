/**
 * POST /api/v1/media with real files made in the test: images (dimensions,
 * orientation, EXIF/GPS stripped, thumbnails), a video, a PDF, and hostile or
 * broken uploads (HTML posing as PNG, SVG, type mismatches, an empty file, a
 * file over the limit, a decompression bomb, hostile names).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ffmpegAvailable } from '../../media/video.js';
import type { Media } from '../../protocol/dto.js';
import { assertError } from '../../testing/assertions.js';
import { download, upload, uploaded } from '../../testing/media-client.js';
import {
  hasGps,
  htmlAsPng,
  jpeg,
  jpegWithExif,
  mp4,
  multipart,
  pdf,
  png,
  pngBomb,
  svg,
} from '../../testing/media-fixtures.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';
import { waitFor } from '../../testing/ws.js';

const MAX_BYTES = 256 * 1024;
const MEDIA_KEYS = ['durationMs', 'fileName', 'height', 'id', 'mimeType', 'size', 'thumbnailUrl', 'url', 'width'];

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startTestServer({ CHAT_MEDIA_MAX_BYTES: String(MAX_BYTES) });
  alice = await server.api.user('alice');
  bob = await server.api.user('bob');
});
after(() => server.close());

async function fetchImage(path: string, user = alice) {
  const res = await download(server, user, path);
  assert.equal(res.status, 200, `GET ${path}`);
  return { res, meta: await sharp(res.bytes).metadata() };
}

describe('uploading images', () => {
  it('stores a PNG with its dimensions and a WebP thumbnail of at most 320 px', async () => {
    const bytes = await png(1280, 720);
    const res = await upload(server, alice, { bytes, fileName: 'screen.png', type: 'image/png' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const media = res.body.media;
    assert.deepEqual(Object.keys(media).sort(), MEDIA_KEYS);
    assert.equal(media.mimeType, 'image/png');
    assert.deepEqual([media.width, media.height], [1280, 720]);
    assert.equal(media.url, `/api/v1/media/${media.id}`);
    assert.equal(media.thumbnailUrl, `/api/v1/media/${media.id}/thumbnail`);
    assert.equal(media.fileName, 'screen.png');

    const file = await fetchImage(media.url);
    assert.equal(file.res.headers.get('content-type'), 'image/png');
    assert.equal(Number(file.res.headers.get('content-length')), media.size);
    assert.equal(file.res.bytes.length, media.size);
    assert.deepEqual([file.meta.format, file.meta.width, file.meta.height], ['png', 1280, 720]);

    const thumb = await fetchImage(media.thumbnailUrl!);
    assert.equal(thumb.res.headers.get('content-type'), 'image/webp');
    assert.deepEqual([thumb.meta.format, thumb.meta.width, thumb.meta.height], ['webp', 320, 180]);
  });

  it('applies EXIF orientation and strips EXIF and GPS from what it serves', async () => {
    const bytes = await jpegWithExif();
    const original = await sharp(bytes).metadata();
    assert.equal(original.orientation, 6, 'fixture: orientation 6');
    assert.ok(hasGps(bytes), 'fixture: GPS tags present');
    assert.ok(bytes.includes(Buffer.from('SecretCam')), 'fixture: camera make present');

    const media = await uploaded(server, alice, { bytes, fileName: 'holiday.jpg', type: 'image/jpeg' });
    assert.equal(media.mimeType, 'image/jpeg');
    // Stored 600×300, shown rotated by 90°: 300×600.
    assert.deepEqual([media.width, media.height], [300, 600]);

    const { res, meta } = await fetchImage(media.url);
    assert.equal(meta.exif, undefined, 'no EXIF block');
    assert.equal(meta.orientation, undefined, 'orientation applied, not tagged');
    assert.deepEqual([meta.width, meta.height], [300, 600]);
    assert.equal(hasGps(res.bytes), false);
    assert.equal(res.bytes.includes(Buffer.from('SecretCam')), false);
    assert.equal(res.bytes.includes(Buffer.from('Exif\0\0', 'latin1')), false);

    const thumb = await fetchImage(media.thumbnailUrl!);
    assert.deepEqual([thumb.meta.width, thumb.meta.height], [160, 320]);
    assert.equal(thumb.meta.exif, undefined);
    assert.equal(hasGps(thumb.res.bytes), false);
  });

  it('keeps small images at their size and never enlarges thumbnails', async () => {
    const media = await uploaded(server, alice, { bytes: await jpeg(100, 40), fileName: 'tiny.jpg' });
    const thumb = await fetchImage(media.thumbnailUrl!);
    assert.deepEqual([thumb.meta.width, thumb.meta.height], [100, 40]);
  });

  it('refuses a decompression bomb from its header, before decoding it', async () => {
    const res = await upload(server, alice, { bytes: pngBomb(), fileName: 'bomb.png', type: 'image/png' });
    assertError(res, 415, 'unsupported_media_type');
    assert.match(JSON.stringify(res.body), /20000×20000/);
  });

  it('refuses an image whose content cannot be decoded', async () => {
    const broken = Buffer.concat([(await png(64, 64)).subarray(0, 60), randomBytes(200)]);
    assertError(await upload(server, alice, { bytes: broken, fileName: 'broken.png' }), 415, 'unsupported_media_type');
  });
});

describe('uploading other files', () => {
  it('stores a PDF without a thumbnail and serves it as an attachment', async () => {
    const bytes = pdf('Invoice');
    const media = await uploaded(server, alice, { bytes, fileName: 'invoice.pdf', type: 'application/pdf' });
    assert.equal(media.mimeType, 'application/pdf');
    assert.equal(media.size, bytes.length);
    assert.deepEqual([media.width, media.height, media.thumbnailUrl], [null, null, null]);
    const res = await download(server, alice, media.url);
    assert.deepEqual(res.bytes, bytes);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="invoice.pdf"/);
    assertError(
      {
        status: (await download(server, alice, `${media.url}/thumbnail`)).status,
        headers: new Headers({ 'content-type': 'application/json' }),
        body: (await download(server, alice, `${media.url}/thumbnail`)).json,
      },
      404,
      'not_found',
    );
  });

  it('stores a video with its duration, size and a poster-frame thumbnail, without its metadata', async (t) => {
    if (!(await ffmpegAvailable())) {
      t.skip('ffmpeg is not installed');
      return;
    }
    const bytes = await mp4();
    assert.ok(bytes, 'ffmpeg made the clip');
    assert.ok(bytes.includes(Buffer.from('SecretTitle')), 'fixture: metadata present');
    const media = await uploaded(server, alice, { bytes, fileName: 'clip.mp4', type: 'video/mp4' });
    assert.equal(media.mimeType, 'video/mp4');
    assert.deepEqual([media.width, media.height], [160, 120]);
    assert.ok(media.durationMs !== null && media.durationMs !== undefined && Math.abs(media.durationMs - 2000) < 200);
    const file = await download(server, alice, media.url);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-disposition') ?? '', /^inline/);
    assert.equal(file.bytes.includes(Buffer.from('SecretTitle')), false, 'title stripped');
    assert.equal(file.bytes.includes(Buffer.from('+51.5000')), false, 'location stripped');
    const thumb = await fetchImage(media.thumbnailUrl!);
    assert.equal(thumb.meta.format, 'webp');
    assert.ok(thumb.meta.width <= 320 && thumb.meta.height <= 320);
    assert.deepEqual([thumb.meta.width, thumb.meta.height], [160, 120]);
  });

  it('takes the sniffed type when the declared one says nothing', async () => {
    const media = await uploaded(server, alice, {
      bytes: await png(10, 10, '#010203'),
      fileName: 'upload.bin',
      type: 'application/octet-stream',
    });
    assert.equal(media.mimeType, 'image/png');
    const undeclared = await uploaded(server, alice, { bytes: pdf('no type'), fileName: 'x' });
    assert.equal(undeclared.mimeType, 'application/pdf');
  });

  it('refuses types the bytes do not show, types off the allow-list, and mismatches', async () => {
    const cases: [string, Parameters<typeof upload>[2]][] = [
      ['HTML posing as a PNG', { bytes: htmlAsPng(), fileName: 'cat.png', type: 'image/png' }],
      ['HTML', { bytes: htmlAsPng(), fileName: 'page.html', type: 'text/html' }],
      ['SVG', { bytes: svg(), fileName: 'logo.svg', type: 'image/svg+xml' }],
      ['plain text', { bytes: Buffer.from('just words\n'), fileName: 'a.txt', type: 'text/plain' }],
      ['a PNG declared as JPEG', { bytes: await png(20, 20), fileName: 'x.jpg', type: 'image/jpeg' }],
      ['a PDF declared as PNG', { bytes: pdf(), fileName: 'x.png', type: 'image/png' }],
      [
        'a TIFF (not allowed)',
        {
          bytes: await sharp(await png(8, 8))
            .tiff()
            .toBuffer(),
          fileName: 'x.tif',
        },
      ],
      ['an executable', { bytes: Buffer.concat([Buffer.from('MZ'), randomBytes(200)]), fileName: 'a.exe' }],
    ];
    for (const [what, part] of cases) {
      assertError(await upload(server, alice, part), 415, 'unsupported_media_type', what);
    }
  });

  it('refuses an empty file', async () => {
    assertError(await upload(server, alice, { bytes: Buffer.alloc(0), fileName: 'empty.png' }), 400, 'invalid_request');
  });

  it('refuses a file over the limit with 413, from Content-Length or while streaming', async () => {
    // Far over: refused from the declared length before the body is read.
    const far = await upload(server, alice, { bytes: randomBytes(MAX_BYTES * 3), fileName: 'big.bin' });
    assertError(far, 413, 'payload_too_large');
    // Just over: the stream passes the limit.
    const just = await upload(server, alice, { bytes: randomBytes(MAX_BYTES + 1), fileName: 'big.bin' });
    assertError(just, 413, 'payload_too_large');
    // Exactly at the limit is fine (a zip header makes it an accepted type).
    const zip = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), randomBytes(MAX_BYTES - 4)]);
    const exact = await upload(server, alice, { bytes: zip, fileName: 'exact.zip', type: 'application/zip' });
    assert.ok([201, 415].includes(exact.status), `not a 413: ${exact.status} ${JSON.stringify(exact.body)}`);
    // The node still serves.
    assert.equal((await server.api.request('GET', '/api/v1/users/me', { token: alice.token })).status, 200);
  });
});

describe('upload requests', () => {
  it('needs a token, multipart/form-data and the field "file"', async () => {
    assertError(await upload(server, null, { bytes: pdf(), fileName: 'a.pdf' }), 401, 'unauthorized');
    const json = await server.api.request('POST', '/api/v1/media', { token: alice.token, body: { file: 'x' } });
    assertError(json, 415, 'unsupported_media_type');
    assertError(
      await upload(server, alice, { field: 'attachment', bytes: pdf(), fileName: 'a.pdf' }),
      400,
      'invalid_request',
    );
    const fieldOnly = await upload(server, alice, { field: 'caption', bytes: Buffer.from('hello') });
    assertError(fieldOnly, 400, 'invalid_request');
    const garbage = await server.api.request('POST', '/api/v1/media', {
      token: alice.token,
      rawBody: 'not multipart at all',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    assert.ok(garbage.status === 400, `${garbage.status} ${JSON.stringify(garbage.body)}`);
  });

  it('survives a client that hangs up mid-upload, and leaves no temporary file', async () => {
    const { body, contentType } = multipart([{ bytes: randomBytes(100_000), fileName: 'cut.bin' }]);
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${server.url}/api/v1/media`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.token}`,
          'content-type': contentType,
          'content-length': String(body.length),
        },
      });
      request.on('error', () => resolve());
      request.on('close', () => resolve());
      request.write(body.subarray(0, 30_000), () => setTimeout(() => request.destroy(), 50));
    });
    assert.equal((await server.api.request('GET', '/api/v1/users/me', { token: alice.token })).status, 200);
    const tmp = join(server.dataDir, 'media', 'tmp');
    await waitFor(
      'the upload’s temporary files to go',
      async () => ((await readdir(tmp)).length === 0 ? true : undefined),
      15_000,
      50,
    );
  });

  it('takes the first file of a body with several and answers no 5xx', async () => {
    const res = await upload(server, alice, [
      { bytes: pdf('first of two'), fileName: 'one.pdf' },
      { bytes: pdf('second of two'), fileName: 'two.pdf' },
    ]);
    assert.ok(res.status < 500, `${res.status} ${JSON.stringify(res.body)}`);
    if (res.status === 201) assert.equal(res.body.media.fileName, 'one.pdf');
  });

  it('deduplicates identical uploads per user', async () => {
    const bytes = pdf(`dedupe ${randomBytes(4).toString('hex')}`);
    const first = await upload(server, alice, { bytes, fileName: 'one.pdf' });
    const again = await upload(server, alice, { bytes, fileName: 'two.pdf' });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200, 'the existing media, answered again');
    assert.deepEqual(again.body.media, first.body.media);
    const other = await upload(server, bob, { bytes, fileName: 'bob.pdf' });
    assert.equal(other.status, 201);
    assert.notEqual(other.body.media.id, first.body.media.id);
    assert.equal(other.body.media.fileName, 'bob.pdf');
  });
});

describe('file names', () => {
  async function nameOf(fileName: string): Promise<Media> {
    return uploaded(server, alice, { bytes: pdf(randomBytes(6).toString('hex')), fileName });
  }

  it('keeps only the base name, without control characters, NUL or path parts', async () => {
    assert.equal((await nameOf('../../../etc/passwd.pdf')).fileName, 'passwd.pdf');
    assert.equal((await nameOf('..\\..\\windows\\win.pdf')).fileName, 'win.pdf');
    assert.equal((await nameOf('evil\u0000name\u0007.pdf')).fileName, 'evilname.pdf');
    assert.equal((await nameOf('rtl\u202Efdp.exe')).fileName, 'rtlfdp.exe');
    assert.equal((await nameOf('..')).fileName, null);
    assert.equal((await nameOf('.hidden.pdf')).fileName, 'hidden.pdf');
  });

  it('keeps unicode, caps the length, and encodes the download name per RFC 5987', async () => {
    const media = await nameOf('Résumé – 履歴書 😀.pdf');
    assert.equal(media.fileName, 'Résumé – 履歴書 😀.pdf');
    const res = await download(server, alice, media.url);
    const disposition = res.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="R_sum_ _ ___ _\.pdf"; filename\*=UTF-8''/);
    assert.ok(disposition.includes(`filename*=UTF-8''${encodeURIComponent('Résumé – 履歴書 😀.pdf')}`));

    const long = await nameOf(`${'x'.repeat(500)}.pdf`);
    assert.ok(long.fileName !== null && long.fileName !== undefined && long.fileName.length <= 200);
    assert.ok(long.fileName?.endsWith('.pdf'));
  });
});
