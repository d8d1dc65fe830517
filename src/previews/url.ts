/** The link a message is previewed for, and the cache key of a URL. */

/** Longest URL previewed. */
export const MAX_URL_LENGTH = 2048;

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;

/**
 * The first http(s) URL in the text, normalised, or null. Punctuation that
 * ends a sentence is not part of it, nor is a closing bracket it did not open.
 * URLs with credentials are skipped (fetching them would send them on).
 */
export function firstUrl(text: string): URL | null {
  for (const match of text.matchAll(CANDIDATE)) {
    let candidate = match[0];
    for (;;) {
      const before = candidate;
      candidate = candidate.replace(TRAILING, '');
      for (const [open, close] of [
        ['(', ')'],
        ['[', ']'],
        ['{', '}'],
      ] as const) {
        if (candidate.endsWith(close) && count(candidate, open) < count(candidate, close)) {
          candidate = candidate.slice(0, -1);
        }
      }
      if (candidate === before) break;
    }
    const url = normaliseUrl(candidate);
    if (url) return url;
  }
  return null;
}

/** Parsed and normalised (lowercase scheme and host, no default port, no fragment), or null. */
export function normaliseUrl(text: string): URL | null {
  if (text.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.hostname === '') return null;
  url.hash = '';
  return url;
}

/** The cache key: one entry per normalised URL. */
export function cacheKey(url: URL): string {
  return url.href;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
