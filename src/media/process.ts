/**
 * Turns a received, sniffed upload into what is stored: the bytes to serve
 * (images re-encoded without metadata, videos remuxed without it), their
 * dimensions and duration, and a thumbnail for images and videos.
 */
import { join } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { inspectImage, makeThumbnail, reencodeImage } from './image.js';
import { hashFile, type ReceivedFile } from './receive.js';
import type { SniffedType } from './types.js';
import { ffmpegAvailable, posterFrame, probe, stripVideoMetadata } from './video.js';

export interface StoredFile {
  path: string;
  mimeType: string;
  sha256: string;
  size: number;
}

export interface StoredThumbnail extends StoredFile {
  width: number;
  height: number;
}

export interface Processed {
  served: StoredFile;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnail: StoredThumbnail | null;
}

export interface ProcessOptions {
  maxPixels: number;
  logger: Logger;
  /** Whether to use ffmpeg (default: when installed). */
  ffmpeg?: boolean;
}

async function stored(path: string, mimeType: string): Promise<StoredFile> {
  return { path, mimeType, ...(await hashFile(path)) };
}

let warnedNoFfmpeg = false;

async function ffmpegEnabled(options: ProcessOptions): Promise<boolean> {
  if (options.ffmpeg === false) return false;
  const available = await ffmpegAvailable();
  if (!available && !warnedNoFfmpeg) {
    warnedNoFfmpeg = true;
    options.logger.warn('ffmpeg is not installed: videos get no thumbnail, duration or metadata stripping');
  }
  return available;
}

/** Works in `dir` (the upload's own temporary folder); the caller removes it. */
export async function processUpload(
  received: ReceivedFile,
  type: SniffedType,
  dir: string,
  options: ProcessOptions,
): Promise<Processed> {
  const original: StoredFile = {
    path: received.path,
    mimeType: type.mimeType,
    sha256: received.sha256,
    size: received.size,
  };
  const limits = { maxPixels: options.maxPixels };
  const result: Processed = { served: original, width: null, height: null, durationMs: null, thumbnail: null };

  if (type.kind === 'image') {
    const size = await inspectImage(received.path, limits);
    result.width = size.width;
    result.height = size.height;
    if (type.processImage) {
      try {
        const encoded = await reencodeImage(received.path, join(dir, 'served'), type.mimeType, limits);
        result.served = await stored(encoded.path, encoded.mimeType);
        result.width = encoded.width;
        result.height = encoded.height;
      } catch (err) {
        // HEIC needs an HEVC decoder the prebuilt libvips may lack: serve it as uploaded.
        if (type.mimeType !== 'image/heic' && type.mimeType !== 'image/heif') throw err;
        options.logger.info({ mimeType: type.mimeType }, 'image not decodable here: stored as uploaded');
        return result;
      }
    }
    const thumbnail = await makeThumbnail(result.served.path, join(dir, 'thumbnail'), limits);
    result.thumbnail = { ...(await stored(thumbnail.path, thumbnail.mimeType)), ...pick(thumbnail) };
    return result;
  }

  if ((type.kind === 'video' || type.kind === 'audio') && (await ffmpegEnabled(options))) {
    const info = await probe(received.path);
    result.durationMs = info?.durationMs ?? null;
    if (type.kind === 'audio' || !info) return result;
    result.width = info.width;
    result.height = info.height;
    const remuxed = join(dir, `served-video`);
    if (await stripVideoMetadata(received.path, remuxed, type.mimeType)) {
      result.served = await stored(remuxed, type.mimeType);
    }
    const frame = join(dir, 'poster.png');
    if (info.hasVideo && (await posterFrame(result.served.path, frame, info.durationMs))) {
      try {
        const thumbnail = await makeThumbnail(frame, join(dir, 'thumbnail'), limits);
        result.thumbnail = { ...(await stored(thumbnail.path, thumbnail.mimeType)), ...pick(thumbnail) };
      } catch (err) {
        options.logger.info({ err }, 'video poster frame could not be made into a thumbnail');
      }
    }
  }
  return result;
}

function pick(image: { width: number; height: number }): { width: number; height: number } {
  return { width: image.width, height: image.height };
}
