/**
 * Search-hit highlighting that mirrors the server's matching: each query word
 * matches a word of the text as a prefix, case- and diacritics-insensitively
 * ("cafe" finds "Café").
 */

export interface Segment {
  text: string;
  hit: boolean;
}

const WORD = /[\p{L}\p{N}_]+/gu;

/** Lower case without diacritics. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The query's words, folded, longest first, without repeats. */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const match of query.matchAll(WORD)) terms.add(fold(match[0]));
  return [...terms].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
}

/** Length (in UTF-16 units of `word`) of its longest prefix matching a term; 0 for none. */
function matchLength(word: string, terms: readonly string[]): number {
  const folded = fold(word);
  const term = terms.find((t) => folded.startsWith(t));
  if (!term) return 0;
  let foldedLength = 0;
  let length = 0;
  for (const char of word) {
    foldedLength += fold(char).length;
    length += char.length;
    if (foldedLength >= term.length) return length;
  }
  return word.length;
}

/** The text cut into plain and highlighted segments (adjacent segments of a kind merged). */
export function highlight(text: string, query: string): Segment[] {
  const terms = queryTerms(query);
  const out: Segment[] = [];
  const push = (part: string, hit: boolean) => {
    if (!part) return;
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += part;
    else out.push({ text: part, hit });
  };
  let from = 0;
  if (terms.length > 0) {
    for (const match of text.matchAll(WORD)) {
      const start = match.index;
      const length = matchLength(match[0], terms);
      if (length === 0) continue;
      push(text.slice(from, start), false);
      push(text.slice(start, start + length), true);
      from = start + length;
    }
  }
  push(text.slice(from), false);
  return out;
}

/** A window of a long text around its first hit, with ellipses where it was cut. */
export function snippet(text: string, query: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const first = highlight(flat, query).findIndex((s) => s.hit);
  let start = 0;
  if (first > 0) {
    const offset = highlight(flat, query)
      .slice(0, first)
      .reduce((n, s) => n + s.text.length, 0);
    start = Math.max(0, Math.min(offset - Math.floor(max / 3), flat.length - max));
  }
  const cut = flat.slice(start, start + max);
  return `${start > 0 ? '…' : ''}${cut}${start + max < flat.length ? '…' : ''}`;
}
