/** The LinkPreviewStore contract, run against SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CachedPreview, PreviewContent } from '../../previews/store/store.js';
import { id, type OpenStorage, token, useStorage } from './harness.js';

function content(overrides: Partial<PreviewContent> = {}): PreviewContent {
  return {
    url: `https://${token(6)}.example/page`,
    host: 'example.test',
    title: `Title ${token(4)} ✓`,
    description: 'A "quoted" description',
    image: { key: 'a'.repeat(64), mimeType: 'image/webp', size: 1234, width: 320, height: 213 },
    ...overrides,
  };
}

function entry(overrides: Partial<CachedPreview> = {}): CachedPreview {
  return {
    urlKey: `https://${token(8)}.example/`,
    preview: content(),
    error: null,
    fetchedAt: '2031-01-01T00:00:00.000Z',
    expiresAt: '2031-01-02T00:00:00.000Z',
    ...overrides,
  };
}

export function describePreviewStore(name: string, open: OpenStorage): void {
  describe(`LinkPreviewStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('caches a preview until it expires, failures included, and replaces an entry', async () => {
      const store = storage().previews;
      const ok = entry();
      await store.putCached(ok);
      assert.deepEqual(await store.cached(ok.urlKey, '2031-01-01T12:00:00.000Z'), ok);
      assert.equal(await store.cached(ok.urlKey, '2031-01-02T00:00:00.000Z'), null, 'expired at expiresAt');
      assert.equal(await store.cached(`${ok.urlKey}other`, '2031-01-01T12:00:00.000Z'), null);

      const failed = entry({ urlKey: ok.urlKey, preview: null, error: 'RefusedTarget: loopback' });
      await store.putCached(failed);
      assert.deepEqual(await store.cached(ok.urlKey, '2031-01-01T12:00:00.000Z'), failed);
    });

    it('keeps one preview per message and reads many in one call', async () => {
      const store = storage().previews;
      const conversationId = id('c');
      const [a, b, c] = [id('m'), id('m'), id('m')];
      const first = { messageId: a, conversationId, preview: content(), createdAt: '2031-01-01T00:00:01.000Z' };
      await store.attach(first);
      await store.attach({
        messageId: b,
        conversationId,
        preview: content({ image: null }),
        createdAt: first.createdAt,
      });
      const replaced = { ...first, preview: content({ title: null }), createdAt: '2031-01-01T00:00:02.000Z' };
      await store.attach(replaced);
      const found = await store.ofMessages([a, b, c]);
      assert.deepEqual(
        found.sort((x, y) => (x.messageId === a ? -1 : y.messageId === a ? 1 : 0)).map((r) => r.messageId),
        [a, b],
      );
      assert.deepEqual(
        found.find((r) => r.messageId === a),
        replaced,
      );
      assert.equal(found.find((r) => r.messageId === b)?.preview.image, null);
      assert.deepEqual(await store.ofMessages([]), []);
    });

    it('deletes expired cache entries in batches', async () => {
      const store = storage().previews;
      const old = [entry({ expiresAt: '2000-01-01T00:00:00.000Z' }), entry({ expiresAt: '2000-01-01T00:00:01.000Z' })];
      const fresh = entry({ expiresAt: '2999-01-01T00:00:00.000Z' });
      for (const e of [...old, fresh]) await store.putCached(e);
      let removed = 0;
      for (;;) {
        const n = await store.deleteExpired('2001-01-01T00:00:00.000Z', 1);
        assert.ok(n <= 1);
        removed += n;
        if (n === 0) break;
      }
      assert.equal(removed, 2);
      assert.ok(await store.cached(fresh.urlKey, '2031-01-01T00:00:00.000Z'));
    });
  });
}
