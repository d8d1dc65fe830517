/**
 * Serves the built web client (`web/dist`) at `/`. Registered after the API
 * routes, as one catch-all `GET /*` that yields to every more specific route:
 * - `/api/…` paths no route knows keep the contract's JSON 404;
 * - files (`/assets/index-3f9a.js`): hashed assets cached for a year, others an hour;
 * - any other GET that accepts HTML gets `index.html` (never cached), so client
 *   routes such as `/c/{conversationId}` survive a reload.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { errorBody } from '../../protocol/errors.js';
import type { App } from './deps.js';

/** `web/dist` of the checkout, from `src/gateway/http` and from the compiled `dist/gateway/http` alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export interface StaticClientOptions {
  /** The built client's folder (default `web/dist`). */
  root?: string;
}

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** The path as a file inside the root, or null if it could step outside it. */
function relativeFile(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s.includes('\\') || s.includes('\0'))) return null;
  return segments.join('/');
}

export function registerStaticClient(app: App, options: StaticClientOptions = {}): void {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const built = existsSync(join(root, 'index.html'));
  if (built) app.register(fastifyStatic, { root, serve: false });
  else app.log.info({ root }, 'web client not built: only the API is served (npm run build:web)');

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (isApiPath(path)) return reply.callNotFound();
    if (!built) {
      return reply
        .status(404)
        .send(errorBody('not_found', 'the web client is not built: run `npm run build:web` and restart'));
    }
    const file = relativeFile(path);
    if (file === null) return reply.callNotFound();
    const last = file.split('/').pop() ?? '';
    if (last.includes('.') && file !== 'index.html') {
      if (file.startsWith('assets/')) return reply.sendFile(file, { maxAge: '365d', immutable: true });
      return reply.sendFile(file, { maxAge: '1h' });
    }
    if (!(request.headers.accept ?? '').includes('text/html') && file !== '' && file !== 'index.html') {
      return reply.callNotFound();
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}
