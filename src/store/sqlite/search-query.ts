/**
 * Turns user text into a safe FTS5 query: the words (runs of Unicode letters,
 * marks and digits) each quoted as a prefix term, ANDed. FTS5 syntax in the
 * input (quotes, `*`, `-`, `AND`, `NEAR(`, column filters) is only text.
 */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** At most this many words are used; the rest of a very long query is ignored. */
export const MAX_QUERY_WORDS = 16;

/** null when the text holds no word: nothing can match. */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize('NFC').match(WORD);
  if (!words) return null;
  return words
    .slice(0, MAX_QUERY_WORDS)
    .map((word) => `"${word.replaceAll('"', '""')}"*`)
    .join(' AND ');
}
