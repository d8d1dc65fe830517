/** The BlobStore contract, run against every implementation through a factory. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { BlobStore } from './blob-store.js';

export interface BlobHarness {
  store: BlobStore;
  cleanup(): Promise<void>;
}

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const keyOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function describeBlobStore(name: string, open: () => Promise<BlobHarness>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let harness: BlobHarness;
    let dir: string;
    const store = () => harness.store;

    before(async () => {
      harness = await open();
      dir = await mkdtemp(join(tmpdir(), 'chat-blob-src-'));
    });
    after(async () => {
      await harness?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    async function source(bytes: Buffer): Promise<string> {
      const path = join(dir, randomBytes(6).toString('hex'));
      await writeFile(path, bytes);
      return path;
    }

    it('stores a file under its key and reads it back whole and by range', async () => {
      const bytes = randomBytes(100_000);
      const key = keyOf(bytes);
      const path = await source(bytes);
      await store().put(key, path, 'application/octet-stream');
      assert.equal(await store().size(key), bytes.length);
      assert.deepEqual(await bytesOf(await store().read(key)), bytes);
      assert.deepEqual(await bytesOf(await store().read(key, { start: 0, end: 0 })), bytes.subarray(0, 1));
      assert.deepEqual(await bytesOf(await store().read(key, { start: 10, end: 19 })), bytes.subarray(10, 20));
      assert.deepEqual(await bytesOf(await store().read(key, { start: 99_990, end: 99_999 })), bytes.subarray(99_990));
    });

    it('answers null for a missing blob and deletes idempotently', async () => {
      const bytes = randomBytes(64);
      const key = keyOf(bytes);
      assert.equal(await store().size(key), null);
      assert.equal(await store().read(key), null);
      await store().delete(key);
      await store().put(key, await source(bytes), 'image/png');
      await store().delete(key);
      assert.equal(await store().size(key), null);
      assert.equal(await store().read(key), null);
      await store().delete(key);
    });

    it('puts the same key again harmlessly, also concurrently, and keeps empty blobs', async () => {
      const bytes = randomBytes(5000);
      const key = keyOf(bytes);
      const path = await source(bytes);
      await Promise.all([1, 2, 3, 4].map(() => store().put(key, path, 'application/pdf')));
      await store().put(key, path, 'application/pdf');
      assert.deepEqual(await bytesOf(await store().read(key)), bytes);
      const empty = Buffer.alloc(0);
      await store().put(keyOf(empty), await source(empty), 'application/octet-stream');
      assert.equal(await store().size(keyOf(empty)), 0);
      assert.deepEqual(await bytesOf(await store().read(keyOf(empty))), empty);
    });

    it('refuses keys that are not SHA-256 digests', async () => {
      const path = await source(Buffer.from('x'));
      for (const key of ['../../etc/passwd', 'ABC', `${'a'.repeat(64)}/x`, '', 'a'.repeat(63)]) {
        await assert.rejects(store().put(key, path, 'text/plain'));
        await assert.rejects(async () => store().read(key));
      }
    });
  });
}
