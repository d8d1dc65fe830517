/**
 * Security headers on every answer (helmet), a Content Security Policy fit
 * for the web client, and CORS for the browser origins the operator allows
 * (CHAT_ALLOWED_ORIGINS; none by default: the web client is served from the
 * same origin, so it needs no CORS).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { App } from './deps.js';

/**
 * The web client loads its scripts and styles from this origin only; images
 * also from blob: (authorised media) and any https: avatar URL; it talks to
 * this origin over HTTP and WebSocket. Nothing may frame it.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // React and uPlot set element styles from script; no inline <style> blocks are served.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  workerSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Plain-HTTP deployments (localhost, a TLS-terminating proxy) must keep ws:// working.
  upgradeInsecureRequests: null,
};

export function registerSecurityHeaders(app: App, allowedOrigins: readonly string[]): void {
  app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // Media is fetched by the client with a bearer token, never embedded cross-origin.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  app.register(cors, {
    origin: allowedOrigins.length > 0 ? [...allowedOrigins] : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'range'],
    exposedHeaders: ['retry-after', 'content-range', 'accept-ranges'],
    maxAge: 600,
  });
}
