/**
 * The media table's row shape, the same in SQLite and PostgreSQL (PostgreSQL's
 * bigints arrive as numbers), and its mapping to MediaRecord.
 */
import type { MediaKind, MediaRecord, MessageRecord, NewMedia } from './records.js';

export interface MediaRow {
  id: string;
  uploader_id: string;
  sha256: string;
  kind: MediaKind;
  mime_type: string;
  size: number;
  blob_key: string;
  file_name: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  thumbnail_key: string | null;
  thumbnail_mime_type: string | null;
  thumbnail_size: number | null;
  thumbnail_width: number | null;
  thumbnail_height: number | null;
  created_at: string;
  last_used_at: string;
}

export const MEDIA_COLUMNS =
  'id, uploader_id, sha256, kind, mime_type, size, blob_key, file_name, width, height, duration_ms, ' +
  'thumbnail_key, thumbnail_mime_type, thumbnail_size, thumbnail_width, thumbnail_height, created_at, last_used_at';

const num = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function toMedia(row: MediaRow): MediaRecord {
  const thumbnail =
    row.thumbnail_key === null
      ? null
      : {
          key: row.thumbnail_key,
          mimeType: row.thumbnail_mime_type ?? 'application/octet-stream',
          size: Number(row.thumbnail_size ?? 0),
          width: Number(row.thumbnail_width ?? 0),
          height: Number(row.thumbnail_height ?? 0),
        };
  return {
    id: row.id,
    uploaderId: row.uploader_id,
    sha256: row.sha256,
    kind: row.kind,
    mimeType: row.mime_type,
    size: Number(row.size),
    blobKey: row.blob_key,
    fileName: row.file_name,
    width: num(row.width),
    height: num(row.height),
    durationMs: num(row.duration_ms),
    thumbnail,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** The insert's values, in MEDIA_COLUMNS order (last_used_at = created_at). */
export function mediaValues(media: NewMedia): unknown[] {
  return [
    media.id,
    media.uploaderId,
    media.sha256,
    media.kind,
    media.mimeType,
    media.size,
    media.blobKey,
    media.fileName,
    media.width,
    media.height,
    media.durationMs,
    media.thumbnail?.key ?? null,
    media.thumbnail?.mimeType ?? null,
    media.thumbnail?.size ?? null,
    media.thumbnail?.width ?? null,
    media.thumbnail?.height ?? null,
    media.createdAt,
    media.createdAt,
  ];
}

/** The bytes a media item takes in storage (what counts against the uploader's quota). */
export function storedBytes(media: Pick<MediaRecord, 'size' | 'thumbnail'>): number {
  return media.size + (media.thumbnail?.size ?? 0);
}

/** The distinct media ids the messages carry (deleted messages carry none). */
export function mediaIdsOf(messages: readonly MessageRecord[]): string[] {
  const ids = new Set<string>();
  for (const message of messages) if (message.mediaId !== null && message.deletedAt === null) ids.add(message.mediaId);
  return [...ids];
}

/** Sets MessageRecord.media on the messages whose media was found; returns the same array. */
export function attachFound<T extends MessageRecord>(messages: T[], found: ReadonlyMap<string, MediaRecord>): T[] {
  for (const message of messages) {
    const media = message.mediaId !== null && message.deletedAt === null ? found.get(message.mediaId) : undefined;
    if (media) message.media = media;
    else delete message.media;
  }
  return messages;
}
