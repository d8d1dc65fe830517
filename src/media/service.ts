/**
 * Media: uploads (streamed to a temporary file, sniffed, processed, stored
 * content-addressed and deduplicated per uploader, within a quota), access to
 * the bytes (the uploader, and members who could see a message carrying them),
 * and the sweep of uploads no message carries.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../domain/clock.js';
import { toMedia } from '../domain/mappers.js';
import type { Logger } from '../observability/logger.js';
import type { Media } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import { StoreError } from '../store/errors.js';
import type { MediaRecord, NewMedia } from '../store/records.js';
import type { MediaStore } from '../store/stores.js';
import type { BlobStore, ByteRange } from './blob-store.js';
import { sanitizeFileName } from './filename.js';
import { KeyedLock, Semaphore } from './locks.js';
import { type Processed, processUpload } from './process.js';
import { receiveToFile } from './receive.js';
import { servedInline, sniffFile } from './types.js';

export interface MediaLimits {
  /** Largest upload in bytes. */
  maxBytes: number;
  /** Bytes one user's media may take (files and thumbnails). */
  quotaBytes: number;
  /** Largest image, in pixels (width × height). */
  maxPixels: number;
  /** How long an upload no message carries is kept after its last use. */
  orphanTtlMs: number;
}

export interface MediaServiceDeps {
  store: MediaStore;
  blobs: BlobStore;
  /** Temporary files of uploads in progress; emptied at start. */
  workDir: string;
  clock: Clock;
  logger: Logger;
  limits: MediaLimits;
  /** Use ffmpeg for videos (default: when installed). */
  ffmpeg?: boolean;
  /** Uploads processed (decoded, re-encoded) at once; the rest wait (default 2). */
  processingConcurrency?: number;
}

export interface UploadInput {
  stream: Readable;
  fileName?: string | null;
  declaredType?: string | null;
}

/** What a download serves. */
export interface ServedBlob {
  key: string;
  size: number;
  mimeType: string;
  fileName: string | null;
  /** Shown in place by browsers; false means Content-Disposition: attachment. */
  inline: boolean;
}

export interface SweepResult {
  removed: number;
  blobsDeleted: number;
}

const SWEEP_BATCH = 200;

function quotaExceeded(message?: string): ChatError {
  return new ChatError('payload_too_large', message ?? 'storage quota exceeded');
}

export class MediaService {
  private readonly processing: Semaphore;
  private readonly locks = new KeyedLock();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(private readonly deps: MediaServiceDeps) {
    this.processing = new Semaphore(Math.max(1, deps.processingConcurrency ?? 2));
  }

  get limits(): MediaLimits {
    return this.deps.limits;
  }

  /** Clears what an earlier run left in the work folder. */
  async init(): Promise<void> {
    await rm(this.deps.workDir, { recursive: true, force: true });
    await mkdir(this.deps.workDir, { recursive: true });
  }

  async upload(uploaderId: string, input: UploadInput): Promise<{ media: Media; created: boolean }> {
    const { store, limits } = this.deps;
    const used = await store.usage(uploaderId);
    if (used >= limits.quotaBytes) {
      throw quotaExceeded(`storage quota of ${limits.quotaBytes} bytes is used up`);
    }
    const dir = join(this.deps.workDir, randomUUID());
    await mkdir(dir, { recursive: true });
    try {
      const received = await receiveToFile(input.stream, join(dir, 'upload'), limits.maxBytes);
      if (received.size === 0) throw new ChatError('invalid_request', 'the file is empty');
      const now = this.now();
      const repeat = await store.byHash(uploaderId, received.sha256);
      const touched = repeat ? await store.touch(repeat.id, uploaderId, now) : null;
      if (touched) return { media: toMedia(touched), created: false };

      const type = await sniffFile(received.path, input.declaredType);
      const processed = await this.processing.run(() =>
        processUpload(received, type, dir, {
          maxPixels: limits.maxPixels,
          logger: this.deps.logger,
          ...(this.deps.ffmpeg !== undefined ? { ffmpeg: this.deps.ffmpeg } : {}),
        }),
      );
      const draft: NewMedia = {
        id: randomUUID(),
        uploaderId,
        sha256: received.sha256,
        kind: type.kind,
        mimeType: processed.served.mimeType,
        size: processed.served.size,
        blobKey: processed.served.sha256,
        fileName: sanitizeFileName(input.fileName),
        width: processed.width,
        height: processed.height,
        durationMs: processed.durationMs,
        thumbnail: processed.thumbnail
          ? {
              key: processed.thumbnail.sha256,
              mimeType: processed.thumbnail.mimeType,
              size: processed.thumbnail.size,
              width: processed.thumbnail.width,
              height: processed.thumbnail.height,
            }
          : null,
        createdAt: now,
      };
      const { media, created } = await this.persist(draft, processed);
      return { media: toMedia(media), created };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Blobs first, then the row: a row never names a blob that is not there. */
  private persist(draft: NewMedia, processed: Processed): Promise<{ media: MediaRecord; created: boolean }> {
    const files = [processed.served, ...(processed.thumbnail ? [processed.thumbnail] : [])];
    const keys = files.map((file) => file.sha256);
    // The sweep deletes a blob under the same lock, after checking no row uses it.
    return this.locks.run(keys, async () => {
      for (const file of files) await this.deps.blobs.put(file.sha256, file.path, file.mimeType);
      try {
        const result = await this.deps.store.create(draft, this.deps.limits.quotaBytes);
        if (!result.created) for (const key of keys) await this.dropIfUnused(key);
        return result;
      } catch (err) {
        for (const key of keys) await this.dropIfUnused(key).catch(() => 0);
        if (err instanceof StoreError && err.kind === 'quota_exceeded') throw quotaExceeded(err.message);
        throw err;
      }
    });
  }

  /** Deletes the blob unless a media row uses it; call under the key's lock. Resolves 1 when deleted. */
  private async dropIfUnused(key: string): Promise<number> {
    if (await this.deps.store.blobInUse(key)) return 0;
    await this.deps.blobs.delete(key);
    return 1;
  }

  /**
   * The media's file or thumbnail for the caller: the uploader, or a member
   * whose window holds a message carrying it. not_found for anyone else, the
   * same as for media that does not exist.
   */
  async open(callerId: string, mediaId: string, variant: 'file' | 'thumbnail'): Promise<ServedBlob> {
    const media = await this.deps.store.byId(mediaId);
    if (!media || (media.uploaderId !== callerId && !(await this.deps.store.canRead(mediaId, callerId)))) {
      throw new ChatError('not_found', 'media not found');
    }
    if (variant === 'thumbnail') {
      if (!media.thumbnail) throw new ChatError('not_found', 'this media has no thumbnail');
      const { key, size, mimeType } = media.thumbnail;
      return { key, size, mimeType, fileName: null, inline: true };
    }
    return {
      key: media.blobKey,
      size: media.size,
      mimeType: media.mimeType,
      fileName: media.fileName,
      inline: servedInline(media.mimeType),
    };
  }

  /** The blob's bytes (or a range); not_found when the blob store lost it. */
  async read(blob: ServedBlob, range?: ByteRange): Promise<Readable> {
    const stream = await this.deps.blobs.read(blob.key, range);
    if (!stream) {
      this.deps.logger.error({ key: blob.key }, 'media blob missing from the blob store');
      throw new ChatError('not_found', 'media not found');
    }
    return stream;
  }

  /**
   * Removes the media no message carries that was last used (uploaded, uploaded
   * again, attached) more than orphanTtlMs before `now`, and the blobs no other
   * media uses. Concurrent calls share one run.
   */
  sweep(now: Date = this.deps.clock.now()): Promise<SweepResult> {
    this.sweeping ??= this.sweepOnce(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(now: Date): Promise<SweepResult> {
    const cutoff = new Date(now.getTime() - this.deps.limits.orphanTtlMs).toISOString();
    const result: SweepResult = { removed: 0, blobsDeleted: 0 };
    for (;;) {
      const removed = await this.deps.store.deleteUnreferenced(cutoff, SWEEP_BATCH);
      result.removed += removed.length;
      for (const media of removed) {
        for (const key of [media.blobKey, ...(media.thumbnail ? [media.thumbnail.key] : [])]) {
          try {
            result.blobsDeleted += await this.locks.run([key], () => this.dropIfUnused(key));
          } catch (err) {
            // The row is gone; an unreachable blob store leaves the bytes behind, nothing worse.
            this.deps.logger.warn({ err, key }, 'could not delete a swept media blob');
          }
        }
      }
      if (removed.length < SWEEP_BATCH) break;
    }
    if (result.removed > 0) this.deps.logger.info({ ...result, cutoff }, 'swept unused media');
    return result;
  }

  /** Sweeps every `intervalMs` until close(); a failed run is logged and retried by the next. */
  startSweeper(intervalMs: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.sweep().catch((err: unknown) => this.deps.logger.error({ err }, 'media sweep failed'));
    }, intervalMs);
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping?.catch(() => {});
    await this.deps.blobs.close();
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
