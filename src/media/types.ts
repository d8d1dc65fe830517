/**
 * Which file types the server takes, recognised from their bytes (file-type),
 * never from the name or the declared type alone. What the bytes do not
 * identify (plain text, HTML, SVG, scripts) is refused.
 */
import { fileTypeFromFile } from 'file-type';
import { ChatError } from '../protocol/errors.js';
import type { MediaKind } from '../store/records.js';

interface AllowedType {
  kind: MediaKind;
  /** Re-encoded with sharp (metadata stripped, thumbnail made). */
  processImage?: boolean;
  /** Served inline (shown by the browser); everything else is an attachment. */
  inline?: boolean;
}

const IMAGE = { kind: 'image', processImage: true, inline: true } as const;
const VIDEO = { kind: 'video', inline: true } as const;
const AUDIO = { kind: 'audio', inline: true } as const;
const FILE = { kind: 'file' } as const;

/** The allow-list, by the sniffed type. */
const ALLOWED: Record<string, AllowedType> = {
  'image/jpeg': IMAGE,
  'image/png': IMAGE,
  'image/webp': IMAGE,
  // GIFs keep their animation: served as uploaded (GIF carries no EXIF), thumbnail of the first frame.
  'image/gif': { kind: 'image', inline: true },
  // HEIC/HEIF: libvips in the prebuilt sharp decodes them where it can; otherwise served as uploaded.
  'image/heic': IMAGE,
  'image/heif': IMAGE,
  'video/mp4': VIDEO,
  'video/webm': VIDEO,
  'video/quicktime': VIDEO,
  'audio/mpeg': AUDIO,
  'audio/ogg': AUDIO,
  'audio/wav': AUDIO,
  'audio/x-m4a': AUDIO,
  'audio/mp4': AUDIO,
  'application/pdf': FILE,
  'application/rtf': FILE,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': FILE,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': FILE,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': FILE,
  'application/vnd.oasis.opendocument.text': FILE,
  'application/vnd.oasis.opendocument.spreadsheet': FILE,
  'application/vnd.oasis.opendocument.presentation': FILE,
  // Legacy Office files are OLE compound files; the declared type names which one.
  'application/x-cfb': FILE,
  'application/zip': FILE,
  'application/x-7z-compressed': FILE,
  'application/x-tar': FILE,
  'application/gzip': FILE,
};

/** Sniffed types some clients declare under another name. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/apng': 'image/png',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/m4a': 'audio/x-m4a',
  'audio/opus': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/x-gzip': 'application/gzip',
  'application/x-rtf': 'application/rtf',
  'text/rtf': 'application/rtf',
};

/**
 * Declared types that say nothing: the sniffed type decides alone. text/plain
 * is what a multipart part without a Content-Type defaults to (RFC 7578); what
 * is served is the sniffed type either way.
 */
const UNDECLARED = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/unknown',
  'text/plain',
]);

/** Declared types a sniffed container stands for (legacy Office in CFB, m4a in mp4 …). */
const SPECIFIC: Record<string, readonly string[]> = {
  'application/x-cfb': ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'],
  'audio/x-m4a': ['audio/mp4', 'audio/aac'],
  'audio/mp4': ['audio/x-m4a', 'audio/aac'],
  'video/mp4': ['audio/mp4', 'audio/x-m4a', 'video/quicktime'],
  'video/quicktime': ['video/mp4'],
  'audio/ogg': ['video/ogg'],
};

/** A MIME type lowercased, without parameters, under its canonical name. */
export function canonicalType(type: string | null | undefined): string {
  const bare = (type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return ALIASES[bare] ?? bare;
}

export interface SniffedType {
  /** What the file is served as. */
  mimeType: string;
  kind: MediaKind;
  processImage: boolean;
}

/**
 * The file's type from its first bytes, checked against the allow-list and the
 * type the client declared. Throws unsupported_media_type (415) otherwise.
 */
export async function sniffFile(path: string, declared: string | null | undefined): Promise<SniffedType> {
  const detected = await fileTypeFromFile(path);
  if (!detected) {
    throw new ChatError('unsupported_media_type', 'the file type could not be recognised from its content');
  }
  return checkType(detected.mime, declared);
}

export function checkType(sniffedMime: string, declared: string | null | undefined): SniffedType {
  const sniffed = canonicalType(sniffedMime);
  const allowed = ALLOWED[sniffed];
  if (!allowed) throw new ChatError('unsupported_media_type', `files of type ${sniffed} are not accepted`);
  const claimed = canonicalType(declared);
  let mimeType = sniffed;
  if (!UNDECLARED.has(claimed) && claimed !== sniffed) {
    if (!SPECIFIC[sniffed]?.includes(claimed)) {
      throw new ChatError(
        'unsupported_media_type',
        `the file was declared as ${claimed} but its content is ${sniffed}`,
      );
    }
    // A legacy Office file is served as what it was declared; the rest keep the sniffed type.
    if (sniffed === 'application/x-cfb') mimeType = claimed;
  }
  if (mimeType === 'application/x-cfb') mimeType = 'application/octet-stream';
  return { mimeType, kind: allowed.kind, processImage: allowed.processImage === true };
}

/** Types a browser may show in place; everything else (SVG and HTML above all) downloads. */
export function servedInline(mimeType: string): boolean {
  const type = canonicalType(mimeType);
  return ALLOWED[type]?.inline === true;
}
