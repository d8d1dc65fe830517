/**
 * Image processing with sharp (libvips): dimensions, orientation, metadata
 * stripping and thumbnails. The served original of a JPEG, PNG or WebP is
 * re-encoded with its EXIF orientation applied and without any metadata (EXIF
 * with GPS, XMP, IPTC, comments); only the ICC colour profile is kept.
 * Decompression bombs are refused from the header, before any pixel is decoded,
 * and libvips enforces the same pixel limit while decoding.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ChatError } from '../protocol/errors.js';

// No libvips operation cache: it would hold decoded images and open handles
// on temporary files that are deleted right after processing.
sharp.cache(false);

/** Longest side of a thumbnail. */
export const THUMBNAIL_MAX = 320;

export interface ImageLimits {
  /** Largest width × height accepted (per frame). */
  maxPixels: number;
}

export interface Dimensions {
  width: number;
  height: number;
}

export interface EncodedImage extends Dimensions {
  path: string;
  mimeType: string;
}

function undecodable(): ChatError {
  return new ChatError('unsupported_media_type', 'the image could not be decoded');
}

/** Width and height as displayed (EXIF orientation applied); refuses what exceeds the pixel limit. */
export async function inspectImage(path: string, limits: ImageLimits): Promise<Dimensions> {
  let metadata: Metadata;
  try {
    // Reads the header only.
    metadata = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    throw undecodable();
  }
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (!(width > 0 && height > 0)) throw undecodable();
  if (width * height > limits.maxPixels) {
    throw new ChatError(
      'unsupported_media_type',
      `the image is ${width}×${height} pixels; at most ${limits.maxPixels} pixels are accepted`,
    );
  }
  const swapped = (metadata.orientation ?? 1) >= 5;
  return swapped ? { width: height, height: width } : { width, height };
}

function input(path: string, limits: ImageLimits, animated: boolean): Sharp {
  return sharp(path, { limitInputPixels: limits.maxPixels, failOn: 'error', animated });
}

/**
 * The image re-encoded in its own format (HEIC/HEIF as JPEG, which browsers
 * show) with the orientation applied and no metadata but the colour profile.
 * Animated WebP stays animated.
 */
export async function reencodeImage(
  source: string,
  target: string,
  mimeType: string,
  limits: ImageLimits,
): Promise<EncodedImage> {
  const animated = mimeType === 'image/webp';
  let pipeline = input(source, limits, animated).autoOrient().keepIccProfile();
  let outputType: string;
  switch (mimeType) {
    case 'image/png':
      pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true });
      outputType = 'image/png';
      break;
    case 'image/webp':
      pipeline = pipeline.webp({ quality: 90 });
      outputType = 'image/webp';
      break;
    default:
      pipeline = pipeline.jpeg({ quality: 90, mozjpeg: true });
      outputType = 'image/jpeg';
  }
  try {
    const info = await pipeline.toFile(target);
    return { path: target, mimeType: outputType, width: info.width, height: info.pageHeight ?? info.height };
  } catch (err) {
    throw limitOrUndecodable(err);
  }
}

/** A WebP thumbnail, at most THUMBNAIL_MAX on its longest side (never enlarged), of the first frame. */
export async function makeThumbnail(source: string, target: string, limits: ImageLimits): Promise<EncodedImage> {
  try {
    const info = await input(source, limits, false)
      .autoOrient()
      .resize({ width: THUMBNAIL_MAX, height: THUMBNAIL_MAX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toFile(target);
    return { path: target, mimeType: 'image/webp', width: info.width, height: info.height };
  } catch (err) {
    throw limitOrUndecodable(err);
  }
}

function limitOrUndecodable(err: unknown): ChatError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new ChatError('unsupported_media_type', 'the image exceeds the pixel limit');
  }
  return undecodable();
}
