/**
 * One fetch of a user-chosen URL, safely: each hop's host checked (target.ts)
 * and connected to at the checked address (the socket's `lookup` answers with
 * it, so no second DNS query happens), at most `maxRedirects` redirects, each
 * checked the same way, one deadline for the whole, a body cap, no
 * compression (no decompression bombs) and only the content types asked for.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type ResolvedTarget, resolveTarget, type TargetPolicy } from './target.js';

export interface FetchLimits {
  /** For everything: every DNS lookup, connection, redirect and the body. */
  timeoutMs: number;
  /** Body bytes read at most. */
  maxBytes: number;
  maxRedirects: number;
}

export interface FetchOptions {
  /** Whether the (lowercase, parameterless) media type is wanted; others are refused unread. */
  accept: (mediaType: string) => boolean;
  acceptHeader: string;
  /** Beyond maxBytes: keep what was read (true; an HTML head is enough) or fail (false). */
  truncate: boolean;
  /** Ends the fetch early (the node is shutting down). */
  signal?: AbortSignal;
}

export interface Fetched {
  /** Where the body came from, after redirects. */
  url: URL;
  mediaType: string;
  charset: string | null;
  body: Buffer;
  /** The body was cut at maxBytes and the connection closed. */
  truncated: boolean;
  redirects: number;
}

/** Why a fetch gave up (the policy's refusals are RefusedTarget, see target.ts). */
export class FetchFailed extends Error {
  override name = 'FetchFailed';
}

const USER_AGENT = 'chat-server-link-preview/1.0';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function safeFetch(
  start: URL,
  policy: TargetPolicy,
  limits: FetchLimits,
  options: FetchOptions,
): Promise<Fetched> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new FetchFailed(`no answer within ${limits.timeoutMs} ms`)),
    limits.timeoutMs,
  );
  const stop = () => deadline.abort(new FetchFailed('stopped'));
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      const target = await abortable(resolveTarget(url, policy), deadline.signal);
      const response = await request(target, options.acceptHeader, deadline.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.destroy();
        if (redirects >= limits.maxRedirects) throw new FetchFailed(`more than ${limits.maxRedirects} redirects`);
        try {
          url = new URL(location, url);
        } catch {
          throw new FetchFailed('a redirect to an invalid URL');
        }
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw new FetchFailed(`HTTP ${status}`);
      }
      const { mediaType, charset } = contentTypeOf(response.headers['content-type']);
      if (!options.accept(mediaType)) {
        response.destroy();
        throw new FetchFailed(`content type ${mediaType || 'none'} is not fetched`);
      }
      const declared = Number(response.headers['content-length']);
      if (!options.truncate && Number.isFinite(declared) && declared > limits.maxBytes) {
        response.destroy();
        throw new FetchFailed(`the body is ${declared} bytes, more than ${limits.maxBytes}`);
      }
      const { body, truncated } = await readCapped(response, limits.maxBytes, options.truncate, deadline.signal);
      return { url, mediaType, charset, body, truncated, redirects };
    }
  } catch (error) {
    if (deadline.signal.aborted && deadline.signal.reason instanceof Error) throw deadline.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** Connects to the checked address itself; TLS still verifies the certificate for the URL's host name. */
function request(target: ResolvedTarget, accept: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  const { url, address, family, port } = target;
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request({
      protocol: url.protocol,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      lookup: pinned,
      // A fresh connection per request: a pooled socket could have been opened for another address.
      agent: false,
      signal,
      headers: {
        'user-agent': USER_AGENT,
        accept,
        'accept-encoding': 'identity',
        host: url.host,
      },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

async function readCapped(
  response: http.IncomingMessage,
  maxBytes: number,
  truncate: boolean,
  signal: AbortSignal,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (size + chunk.length > maxBytes) {
        if (!truncate) throw new FetchFailed(`the body is larger than ${maxBytes} bytes`);
        chunks.push(chunk.subarray(0, maxBytes - size));
        return { body: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    // Returning or throwing mid-body closes the connection instead of draining it.
    if (!response.complete) response.destroy();
  }
  if (signal.aborted) throw signal.reason;
  return { body: Buffer.concat(chunks), truncated: false };
}

function contentTypeOf(header: string | undefined): { mediaType: string; charset: string | null } {
  if (!header) return { mediaType: '', charset: null };
  const [type = '', ...params] = header.split(';');
  const charset = params
    .map((p) => p.trim().match(/^charset\s*=\s*"?([^";\s]+)"?$/i)?.[1])
    .find((value) => value !== undefined);
  return { mediaType: type.trim().toLowerCase(), charset: charset?.toLowerCase() ?? null };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
