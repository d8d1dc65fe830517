/** File names, content types, ranges and locks of the media module. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChatError } from '../protocol/errors.js';
import { contentDisposition, FILE_NAME_MAX, sanitizeFileName } from './filename.js';
import { KeyedLock, Semaphore } from './locks.js';
import { etagOf, notModified, parseRange } from './ranges.js';
import { checkType, servedInline } from './types.js';

describe('sanitizeFileName', () => {
  it('keeps the base name only, without controls, NUL, bidi overrides or unsafe characters', () => {
    const cases: [string | null | undefined, string | null][] = [
      ['photo.jpg', 'photo.jpg'],
      ['../../etc/passwd', 'passwd'],
      ['C:\\Users\\me\\Desktop\\cv.pdf', 'cv.pdf'],
      ['a\u0000b\u0001c\u007f\u0085.pdf', 'abc.pdf'],
      ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
      ['zero\u200Bwidth.png', 'zerowidth.png'],
      ['what?<>:"|*.txt', 'what_______.txt'],
      ['  spaced \t\n name .pdf  ', 'spaced name .pdf'],
      ['...', null],
      ['..', null],
      ['.env', 'env'],
      ['dir/', null],
      ['', null],
      [null, null],
      [undefined, null],
      ['e\u0301cole.txt', 'école.txt'],
      ['lone \uD800 surrogate.txt', 'lone surrogate.txt'],
      ['日本語のファイル.pdf', '日本語のファイル.pdf'],
    ];
    for (const [raw, expected] of cases) assert.equal(sanitizeFileName(raw), expected, JSON.stringify(raw));
  });

  it('caps the length and keeps the extension, never splitting a surrogate pair', () => {
    const long = sanitizeFileName(`${'😀'.repeat(300)}.jpeg`);
    assert.ok(long !== null && long.length <= FILE_NAME_MAX);
    assert.ok(long?.endsWith('.jpeg'));
    assert.equal(sanitizeFileName(long), long, 'idempotent');
    assert.doesNotMatch(long ?? '', /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('never yields a path, a control character or an over-long name (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (raw) => {
        const name = sanitizeFileName(raw);
        if (name === null) return;
        assert.ok(name.length > 0 && name.length <= FILE_NAME_MAX);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none are left
        assert.doesNotMatch(name, /[/\\\u0000-\u001f\u007f]/);
        assert.ok(!name.startsWith('.'));
        assert.equal(name, name.trim());
        assert.equal(sanitizeFileName(name), name);
      }),
      { numRuns: 500 },
    );
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987)', () => {
    assert.equal(contentDisposition('attachment', null), 'attachment');
    assert.equal(contentDisposition('inline', 'a.png'), `inline; filename="a.png"; filename*=UTF-8''a.png`);
    assert.equal(
      contentDisposition('attachment', "Ünïcode 'quote' (1)%.pdf"),
      `attachment; filename="_n_code 'quote' (1)_.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%27quote%27%20%281%29%25.pdf`,
    );
    assert.equal(
      contentDisposition('attachment', 'say "hi"\\.txt'),
      `attachment; filename="say _hi__.txt"; filename*=UTF-8''say%20%22hi%22%5C.txt`,
    );
  });
});

describe('checkType', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (err) {
      return err instanceof ChatError ? err.code : 'other';
    }
  };

  it('accepts the allow-list with a matching, aliased or uninformative declared type', () => {
    assert.deepEqual(checkType('image/jpeg', 'image/jpeg'), {
      mimeType: 'image/jpeg',
      kind: 'image',
      processImage: true,
    });
    assert.equal(checkType('image/jpeg', 'image/jpg').mimeType, 'image/jpeg');
    assert.equal(checkType('image/png', 'application/octet-stream').mimeType, 'image/png');
    assert.equal(checkType('image/png', undefined).mimeType, 'image/png');
    assert.equal(checkType('image/gif', 'image/gif').processImage, false);
    assert.equal(checkType('audio/mpeg', 'audio/mp3').kind, 'audio');
    assert.equal(checkType('audio/x-m4a', 'audio/mp4').mimeType, 'audio/x-m4a');
    assert.equal(checkType('audio/ogg; codecs=opus', 'audio/ogg').mimeType, 'audio/ogg');
    assert.equal(checkType('video/quicktime', 'video/quicktime').kind, 'video');
    assert.equal(checkType('application/zip', 'application/x-zip-compressed').kind, 'file');
    assert.equal(checkType('application/x-cfb', 'application/msword').mimeType, 'application/msword');
    assert.equal(checkType('application/x-cfb', undefined).mimeType, 'application/octet-stream');
    assert.equal(
      checkType(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ).kind,
      'file',
    );
  });

  it('refuses types off the list and declared types the bytes contradict', () => {
    assert.equal(
      code(() => checkType('image/tiff', 'image/tiff')),
      'unsupported_media_type',
    );
    assert.equal(
      code(() => checkType('application/x-msdownload', undefined)),
      'unsupported_media_type',
    );
    assert.equal(
      code(() => checkType('image/png', 'image/jpeg')),
      'unsupported_media_type',
    );
    assert.equal(
      code(() => checkType('image/png', 'text/html')),
      'unsupported_media_type',
    );
    assert.equal(
      code(() => checkType('application/pdf', 'image/png')),
      'unsupported_media_type',
    );
    assert.equal(
      code(() => checkType('application/zip', 'application/pdf')),
      'unsupported_media_type',
    );
  });

  it('serves only images, videos and audio inline, never SVG or HTML', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'audio/mpeg']) {
      assert.equal(servedInline(type), true, type);
    }
    for (const type of ['image/svg+xml', 'text/html', 'application/pdf', 'application/xhtml+xml', 'text/plain']) {
      assert.equal(servedInline(type), false, type);
    }
  });
});

describe('ranges and validators', () => {
  const etag = etagOf('ab'.repeat(32));

  it('answers If-None-Match with the strong or weak ETag, a list, or *', () => {
    assert.equal(notModified(undefined, etag), false);
    assert.equal(notModified(etag, etag), true);
    assert.equal(notModified(`W/${etag}`, etag), true);
    assert.equal(notModified(`"other", ${etag}`, etag), true);
    assert.equal(notModified('*', etag), true);
    assert.equal(notModified('"other"', etag), false);
  });

  it('parses one byte range and clamps it to the size', () => {
    assert.deepEqual(parseRange(undefined, 100), { kind: 'full' });
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'partial', range: { start: 0, end: 9 } });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'partial', range: { start: 90, end: 99 } });
    assert.deepEqual(parseRange('bytes=90-500', 100), { kind: 'partial', range: { start: 90, end: 99 } });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'partial', range: { start: 90, end: 99 } });
    assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'partial', range: { start: 0, end: 99 } });
    assert.deepEqual(parseRange('BYTES = 5 - 5', 100), { kind: 'partial', range: { start: 5, end: 5 } });
  });

  it('answers unsatisfiable ranges with 416 and ignores malformed or multiple ones', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=100-200', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    for (const header of ['bytes=9-1', 'bytes=a-b', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=1e3-']) {
      assert.deepEqual(parseRange(header, 100), { kind: 'full' }, header);
    }
  });

  it('honours If-Range only with the same ETag', () => {
    assert.equal(parseRange('bytes=0-9', 100, etag, etag).kind, 'partial');
    assert.equal(parseRange('bytes=0-9', 100, '"stale"', etag).kind, 'full');
    assert.equal(parseRange('bytes=0-9', 100, 'Wed, 21 Oct 2015 07:28:00 GMT', etag).kind, 'full');
  });
});

describe('locks', () => {
  it('runs one holder per key at a time, keys independently, without deadlock on overlap', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let releaseA: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const a = lock.run(['x'], async () => {
      log.push('a+');
      await gate;
      log.push('a-');
    });
    const b = lock.run(['x'], async () => {
      log.push('b+', 'b-');
    });
    const c = lock.run(['y'], async () => {
      log.push('c+', 'c-');
    });
    const d = lock.run(['y', 'x'], async () => {
      log.push('d+', 'd-');
    });
    await c;
    assert.ok(log.includes('c-'), 'another key does not wait');
    assert.ok(!log.includes('a-') && !log.includes('b+') && !log.includes('d+'), log.join(' '));
    releaseA();
    await Promise.all([a, b, d]);
    assert.ok(log.indexOf('a-') < log.indexOf('b+'), log.join(' '));
    assert.ok(log.indexOf('b-') < log.indexOf('d+'), log.join(' '));
  });

  it('admits at most the limit at once', async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 7 }, () =>
        semaphore.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active -= 1;
        }),
      ),
    );
    assert.equal(peak, 2);
  });
});
