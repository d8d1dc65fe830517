/**
 * Builds a node's media service from configuration: the blob store (S3 when a
 * bucket is configured, otherwise files under CHAT_DATA_DIR/media), the limits,
 * and the orphan sweep's timer.
 */
import { join } from 'node:path';
import { type ChatConfig, ConfigError } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { MediaStore } from '../store/stores.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { MediaService } from './service.js';
import { ffmpegAvailable } from './video.js';

type MediaConfig = Pick<
  ChatConfig,
  | 'CHAT_DATA_DIR'
  | 'CHAT_MEDIA_MAX_BYTES'
  | 'CHAT_MEDIA_QUOTA_BYTES'
  | 'CHAT_MEDIA_MAX_PIXELS'
  | 'CHAT_MEDIA_ORPHAN_TTL_SECONDS'
  | 'CHAT_MEDIA_SWEEP_INTERVAL_SECONDS'
  | 'CHAT_S3_ENDPOINT'
  | 'CHAT_S3_BUCKET'
  | 'CHAT_S3_REGION'
>;

export function openBlobStore(config: MediaConfig): BlobStore {
  if (config.CHAT_S3_BUCKET) {
    return new S3BlobStore({
      bucket: config.CHAT_S3_BUCKET,
      region: config.CHAT_S3_REGION,
      ...(config.CHAT_S3_ENDPOINT ? { endpoint: config.CHAT_S3_ENDPOINT } : {}),
    });
  }
  if (config.CHAT_S3_ENDPOINT) throw new ConfigError('CHAT_S3_ENDPOINT is set but CHAT_S3_BUCKET is not');
  return new FsBlobStore(join(config.CHAT_DATA_DIR, 'media', 'blobs'));
}

export async function openMediaService(
  config: MediaConfig,
  store: MediaStore,
  clock: Clock,
  logger: Logger,
): Promise<MediaService> {
  const blobs = openBlobStore(config);
  const media = new MediaService({
    store,
    blobs,
    workDir: join(config.CHAT_DATA_DIR, 'media', 'tmp'),
    clock,
    logger,
    limits: {
      maxBytes: config.CHAT_MEDIA_MAX_BYTES,
      quotaBytes: config.CHAT_MEDIA_QUOTA_BYTES,
      maxPixels: config.CHAT_MEDIA_MAX_PIXELS,
      orphanTtlMs: config.CHAT_MEDIA_ORPHAN_TTL_SECONDS * 1000,
    },
  });
  await media.init();
  const ffmpeg = await ffmpegAvailable();
  logger.info(
    { blobs: blobs.kind, ffmpeg, maxBytes: config.CHAT_MEDIA_MAX_BYTES },
    ffmpeg ? 'media ready' : 'media ready; ffmpeg not installed: videos get no thumbnail',
  );
  media.startSweeper(config.CHAT_MEDIA_SWEEP_INTERVAL_SECONDS * 1000);
  return media;
}
