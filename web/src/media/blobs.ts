/**
 * Media bytes need the bearer token, which `<img src>` cannot send: they are
 * fetched into blob URLs, shared per URL while mounted and revoked when the
 * last user unmounts.
 */
import { useEffect, useState } from 'react';
import { useSession } from '../session/context.js';

interface Entry {
  refs: number;
  promise: Promise<string>;
  url: string | null;
}

const cache = new Map<string, Entry>();

export async function fetchMediaBlob(baseUrl: string, token: string, path: string): Promise<Blob> {
  const res = await fetch(new URL(path, baseUrl).toString(), { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(res.status === 404 ? 'This media is no longer available.' : `HTTP ${res.status}`);
  return res.blob();
}

function acquire(baseUrl: string, token: string, path: string): Entry {
  let entry = cache.get(path);
  if (!entry) {
    const created: Entry = { refs: 0, url: null, promise: Promise.resolve('') };
    created.promise = fetchMediaBlob(baseUrl, token, path).then((blob) => {
      const url = URL.createObjectURL(blob);
      if (cache.get(path) === created) created.url = url;
      else URL.revokeObjectURL(url);
      return url;
    });
    created.promise.catch(() => {
      if (cache.get(path) === created) cache.delete(path);
    });
    cache.set(path, created);
    entry = created;
  }
  entry.refs += 1;
  return entry;
}

function release(path: string, entry: Entry): void {
  entry.refs -= 1;
  if (entry.refs > 0 || cache.get(path) !== entry) return;
  cache.delete(path);
  if (entry.url) URL.revokeObjectURL(entry.url);
}

export type BlobState = { status: 'loading' } | { status: 'ready'; url: string } | { status: 'error'; error: string };

/** A blob URL for a media path (`/api/v1/media/{id}` or its thumbnail); null path: nothing. */
export function useMediaBlob(path: string | null): BlobState {
  const session = useSession();
  const [state, setState] = useState<BlobState>({ status: 'loading' });
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState({ status: 'loading' });
    const entry = acquire(session.baseUrl, session.token, path);
    entry.promise.then(
      (url) => {
        if (live) setState({ status: 'ready', url });
      },
      (error: unknown) => {
        if (live) setState({ status: 'error', error: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      live = false;
      release(path, entry);
    };
  }, [path, session]);
  return state;
}

/** Downloads a media file with the token and saves it through an `<a download>` blob link. */
export async function downloadMedia(baseUrl: string, token: string, path: string, fileName: string): Promise<void> {
  const blob = await fetchMediaBlob(baseUrl, token, path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
