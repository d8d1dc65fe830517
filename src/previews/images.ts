/**
 * The preview image: fetched under the same rules as the page, then decoded
 * and re-encoded through the media pipeline (src/media/image.ts: pixel limit
 * from the header, orientation applied, metadata dropped, a WebP at most
 * THUMBNAIL_MAX on its longest side), and stored in the media blob store.
 * Nothing the remote server sent is ever served as is.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../media/blob-store.js';
import { inspectImage, makeThumbnail } from '../media/image.js';
import { type FetchLimits, safeFetch } from './fetch.js';
import type { PreviewImageRecord } from './store/store.js';
import type { TargetPolicy } from './target.js';

/** Image types sharp decodes that a page may point at. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

/**
 * Preview blobs are keyed in their own namespace (the SHA-256 of a prefix and
 * the bytes): the media sweep deletes a blob once no media row names its key,
 * and no media row ever names one of these, even for identical bytes.
 */
export function previewBlobKey(bytes: Buffer): string {
  return createHash('sha256').update('link-preview\n').update(bytes).digest('hex');
}

export interface PreviewImageDeps {
  blobs: BlobStore;
  policy: TargetPolicy;
  limits: FetchLimits;
  maxPixels: number;
  signal?: AbortSignal;
}

/** Fetches, re-encodes and stores the image; rejects when any step fails. */
export async function storePreviewImage(url: URL, deps: PreviewImageDeps): Promise<PreviewImageRecord> {
  const fetched = await safeFetch(url, deps.policy, deps.limits, {
    accept: (type) => IMAGE_TYPES.has(type),
    acceptHeader: [...IMAGE_TYPES].join(', '),
    truncate: false,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), 'chat-preview-'));
  try {
    const source = join(dir, 'source');
    await writeFile(source, fetched.body);
    const limits = { maxPixels: deps.maxPixels };
    await inspectImage(source, limits);
    const encoded = await makeThumbnail(source, join(dir, 'thumbnail.webp'), limits);
    const bytes = await readFile(encoded.path);
    const key = previewBlobKey(bytes);
    await deps.blobs.put(key, encoded.path, encoded.mimeType);
    return { key, mimeType: encoded.mimeType, size: bytes.length, width: encoded.width, height: encoded.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
