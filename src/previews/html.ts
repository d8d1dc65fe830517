/**
 * The preview's fields from an HTML page, with htmlparser2: Open Graph
 * (og:title, og:description, og:image), falling back to <title> and
 * <meta name="description">. Only the head matters: parsing stops at <body>.
 */
import { Parser } from 'htmlparser2';

export interface PageMeta {
  title: string | null;
  description: string | null;
  /** As written in the page: resolve it against the page's URL. */
  image: string | null;
}

/** Longest title and description kept, in characters. */
export const MAX_TITLE = 300;
export const MAX_DESCRIPTION = 1000;

export function parsePageMeta(html: string): PageMeta {
  const og: Record<string, string> = {};
  let metaDescription: string | null = null;
  let title = '';
  let inTitle = false;
  let titleSeen = false;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (done) return;
        if (name === 'body') {
          done = true;
          return;
        }
        if (name === 'title' && !titleSeen) inTitle = true;
        if (name !== 'meta') return;
        const content = attribs.content;
        if (content === undefined) return;
        const property = (attribs.property ?? attribs.name ?? '').trim().toLowerCase();
        if (property.startsWith('og:') && !(property in og)) og[property] = content;
        if (property === 'description' && metaDescription === null) metaDescription = content;
      },
      ontext(text) {
        if (inTitle && !done) title += text;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          titleSeen = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return {
    title: clean(og['og:title'] ?? title, MAX_TITLE),
    description: clean(og['og:description'] ?? metaDescription, MAX_DESCRIPTION),
    image: clean(og['og:image:secure_url'] ?? og['og:image'] ?? og['og:image:url'] ?? null, 2048),
  };
}

/** Whitespace collapsed, control characters dropped, cut at `max` characters; null when empty. */
function clean(value: string | null, max: number): string | null {
  if (value === null) return null;
  const text = value
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Bytes to text by the charset of the Content-Type header, else of a
 * `<meta charset>` (or http-equiv) in the first 2 kB, else UTF-8; an unknown
 * one counts as UTF-8.
 */
export function decodeHtml(body: Buffer, charset: string | null): string {
  const declared =
    charset ??
    body
      .subarray(0, 2048)
      .toString('latin1')
      .match(/<meta[^>]+charset\s*=\s*["']?([\w-]+)/i)?.[1] ??
    null;
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
