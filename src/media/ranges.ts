/**
 * Conditional and partial GETs of immutable, content-addressed bytes: the
 * strong ETag is the content's SHA-256, so If-None-Match and If-Range compare
 * against it; Range takes one byte range (RFC 9110 §14).
 */
import type { ByteRange } from './blob-store.js';

export function etagOf(key: string): string {
  return `"${key}"`;
}

/** If-None-Match: true when it names this ETag (weakly compared) or is `*`. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value.replace(/^W\//, '') === etag;
  });
}

export type RangeAnswer =
  /** Serve everything (no Range, an unusable one, several ranges, or a stale If-Range). */
  { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * The answer to a Range header for `size` bytes. Malformed headers and other
 * units are ignored (full content), as RFC 9110 allows; so are several ranges.
 */
export function parseRange(header: string | undefined, size: number, ifRange?: string, etag?: string): RangeAnswer {
  if (!header) return { kind: 'full' };
  // If-Range with anything but our (strong) ETag, a date included: the whole thing.
  if (ifRange !== undefined && ifRange.trim() !== etag) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // The last N bytes.
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'full' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}
