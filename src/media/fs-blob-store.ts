/**
 * Blobs as files under a root folder (by default CHAT_DATA_DIR/media/blobs),
 * at content-addressed paths: ab/cd/abcd…. One node only: other nodes cannot
 * read this disk; several nodes use the S3 store.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type BlobStore, type ByteRange, blobPath } from './blob-store.js';

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ENOENT';
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'filesystem';

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return join(this.root, ...blobPath(key));
  }

  async put(key: string, sourcePath: string, _contentType?: string): Promise<void> {
    const target = this.pathOf(key);
    if ((await this.size(key)) !== null) return;
    await mkdir(dirname(target), { recursive: true });
    // Copy beside the target, sync, then rename: a reader never sees a partial
    // blob, and the rename is atomic also against a concurrent put of the same key.
    const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await copyFile(sourcePath, partial);
      await fsync(partial);
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    await fsync(dirname(target)).catch(() => {
      // Some filesystems refuse to sync a folder; the file itself is synced.
    });
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? info.size : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    const path = this.pathOf(key);
    // Open first, so a missing blob answers null instead of failing mid-stream.
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    // The stream owns the handle and closes it when it ends or is destroyed.
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async close(): Promise<void> {}
}
