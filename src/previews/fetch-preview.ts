/**
 * From a URL to a preview: the page fetched under the rules of fetch.ts (only
 * HTML parsed, the first `maxBytes` of it), its Open Graph or fallback fields,
 * and its image re-encoded and stored (images.ts). A page without anything to
 * show is a failure, cached as one.
 */
import type { BlobStore } from '../media/blob-store.js';
import { FetchFailed, type FetchLimits, safeFetch } from './fetch.js';
import { decodeHtml, parsePageMeta } from './html.js';
import { storePreviewImage } from './images.js';
import type { PreviewContent, PreviewImageRecord } from './store/store.js';
import type { TargetPolicy } from './target.js';
import { normaliseUrl } from './url.js';

/** The rules of the issue: 5 s for everything, 1 MB of body, 3 redirects; the image under the same. */
export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 3 };

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

export interface PreviewFetchDeps {
  policy: TargetPolicy;
  /** The page's limits; the image gets the same, with a deadline of its own. */
  limits: FetchLimits;
  blobs: BlobStore;
  /** Largest image decoded, in pixels (CHAT_MEDIA_MAX_PIXELS). */
  maxPixels: number;
  /** Why an image was skipped, for the log. */
  onImageFailure?: (url: string, error: unknown) => void;
  /** Ends the fetches early. */
  signal?: AbortSignal;
}

/** The preview of `url`; rejects (RefusedTarget, FetchFailed …) when there is none. */
export async function fetchPreview(url: URL, deps: PreviewFetchDeps): Promise<PreviewContent> {
  const page = await safeFetch(url, deps.policy, deps.limits, {
    accept: (type) => HTML_TYPES.has(type),
    acceptHeader: 'text/html, application/xhtml+xml;q=0.9',
    truncate: true,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const meta = parsePageMeta(decodeHtml(page.body, page.charset));
  let image: PreviewImageRecord | null = null;
  const imageUrl = meta.image ? resolveImageUrl(meta.image, page.url) : null;
  if (imageUrl) {
    try {
      image = await storePreviewImage(imageUrl, {
        blobs: deps.blobs,
        policy: deps.policy,
        limits: deps.limits,
        maxPixels: deps.maxPixels,
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
    } catch (error) {
      // The card is still worth showing without its picture.
      deps.onImageFailure?.(imageUrl.href, error);
    }
  }
  if (meta.title === null && meta.description === null && image === null) {
    throw new FetchFailed('the page has no title, description or image');
  }
  return { url: url.href, host: url.hostname, title: meta.title, description: meta.description, image };
}

function resolveImageUrl(value: string, base: URL): URL | null {
  try {
    return normaliseUrl(new URL(value, base).href);
  } catch {
    return null;
  }
}
