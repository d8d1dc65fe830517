import { describe, expect, it } from 'vitest';
import { fold, highlight, queryTerms, snippet } from './highlight.js';

const marked = (text: string, query: string) =>
  highlight(text, query)
    .map((s) => (s.hit ? `[${s.text}]` : s.text))
    .join('');

describe('highlight', () => {
  it('marks the matching prefix of each word', () => {
    expect(marked('Climbing at 7? climb!', 'clim')).toBe('[Clim]bing at 7? [clim]b!');
  });

  it('marks every query word, in any order', () => {
    expect(marked('See you at the crag tomorrow', 'tomorrow crag')).toBe('See you at the [crag] [tomorrow]');
  });

  it('matches whole-word prefixes only', () => {
    expect(marked('unclimbable', 'clim')).toBe('unclimbable');
  });

  it('ignores case and diacritics, keeping the original text', () => {
    expect(marked('Café crème', 'cafe CREME')).toBe('[Café] [crème]');
    expect(marked('CAFÉ', 'café')).toBe('[CAFÉ]');
  });

  it('treats operators as plain text', () => {
    expect(queryTerms('"a" OR b* (c)')).toEqual(['or', 'a', 'b', 'c']);
    expect(marked('a or b', '"a" OR b*')).toBe('[a] [or] [b]');
  });

  it('returns the text as is without a query', () => {
    expect(highlight('hello', '   ')).toEqual([{ text: 'hello', hit: false }]);
    expect(highlight('', 'x')).toEqual([]);
  });

  it('handles emoji and non-Latin scripts', () => {
    expect(marked('🧗 Привет мир', 'прив')).toBe('🧗 [Прив]ет мир');
    expect(fold('Ærø')).toBe('ærø');
  });
});

describe('snippet', () => {
  it('keeps short texts whole', () => {
    expect(snippet('short  text\nhere', 'text')).toBe('short text here');
  });

  it('cuts long texts around the first hit', () => {
    const text = `${'lorem '.repeat(40)}needle ${'ipsum '.repeat(40)}`;
    const cut = snippet(text, 'needle', 60);
    expect(cut.startsWith('…')).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).toContain('needle');
  });
});
