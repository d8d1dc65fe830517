/**
 * Full-text search queries built from words only. User text never reaches
 * PostgreSQL as tsquery syntax: it is cut into words (runs of Unicode
 * letters, marks and digits) passed as a text[] bind parameter, and
 * chat_words_tsquery (schema-tables.ts) turns each into one quoted, escaped
 * prefix lexeme ('word':*), ANDed. Quotes, `&`, `|`, `!`, `<->`, `:` and `*`
 * in the input are only separators.
 */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** At most this many words are used; the rest of a very long query is ignored. */
export const MAX_QUERY_WORDS = 16;

/** The words of a query, or null when it holds none: nothing can match. */
export function searchWords(text: string): string[] | null {
  const words = text.normalize('NFC').match(WORD);
  return words ? words.slice(0, MAX_QUERY_WORDS) : null;
}
