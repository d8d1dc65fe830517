/**
 * The BlobStore contract on the filesystem, on the S3 store against an
 * in-process fake S3 server, and against a real S3-compatible service when
 * CHAT_S3_ENDPOINT (with CHAT_S3_BUCKET, CHAT_S3_REGION and the AWS_* credentials) is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startFakeS3 } from '../testing/fake-s3.js';
import { describeBlobStore } from './contract.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

describeBlobStore('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-blobs-'));
  return { store: new FsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describeBlobStore('s3 (in-process fake)', async () => {
  const fake = await startFakeS3();
  const store = new S3BlobStore({
    bucket: 'chat-test',
    region: 'us-east-1',
    endpoint: fake.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await fake.close();
    },
  };
});

const endpoint = process.env.CHAT_S3_ENDPOINT;
if (endpoint) {
  describeBlobStore(`s3 at ${endpoint}`, async () => {
    const store = new S3BlobStore({
      bucket: process.env.CHAT_S3_BUCKET ?? 'chat-test',
      region: process.env.CHAT_S3_REGION ?? 'us-east-1',
      endpoint,
      // Each run in its own prefix, so runs never see each other's objects.
      prefix: `contract-${randomBytes(6).toString('hex')}/`,
    });
    return { store, cleanup: () => store.close() };
  });
} else {
  it('BlobStore contract: a real S3 service', {
    skip: 'set CHAT_S3_ENDPOINT (and CHAT_S3_BUCKET) to run it',
  }, () => {});
}

describe('FsBlobStore layout', () => {
  it('writes content-addressed paths under its root and leaves no partial files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chat-blobs-layout-'));
    try {
      const store = new FsBlobStore(join(dir, 'blobs'));
      const key = 'ab'.repeat(32);
      const source = join(dir, 'source');
      await writeFile(source, randomBytes(10));
      await store.put(key, source, 'application/octet-stream');
      assert.ok((await stat(join(dir, 'blobs', 'ab', 'ab', key))).isFile());
      assert.deepEqual(await readdir(join(dir, 'blobs', 'ab', 'ab')), [key]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
