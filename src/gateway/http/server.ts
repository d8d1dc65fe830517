/** The HTTP half of the gateway: Fastify with zod-validated routes and one error edge. */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifySchema, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../../observability/logger.js';
import { previewRoutes } from '../../previews/routes.js';
import { LIMITS } from '../../protocol/limits.js';
import { authenticateHook } from './authenticate.js';
import type { App, HttpDeps } from './deps.js';
import { clientErrors, frameworkErrors, installErrorHandling } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { channelRoutes } from './routes/channels.js';
import { conversationRoutes } from './routes/conversations.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { mediaRoutes } from './routes/media.js';
import { messageRoutes } from './routes/messages.js';
import { notificationRoutes } from './routes/notifications.js';
import { pinRoutes } from './routes/pins.js';
import { reactionRoutes } from './routes/reactions.js';
import { userRoutes } from './routes/users.js';
import { registerSecurityHeaders } from './security.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** "METHOD /path" of every route, for the documentation check. */
    registeredRoutes: readonly string[];
    /** The schemas (zod: params, querystring, body) of every "METHOD /path", for the fuzzers and authz matrix. */
    routeSchemas: ReadonlyMap<string, FastifySchema>;
  }
}

export interface HttpOptions {
  /** Fastify's trustProxy: which X-Forwarded-For hops to believe (see CHAT_TRUST_PROXY). */
  trustProxy: boolean | string;
  /** Browser origins allowed to call the API cross-origin (CHAT_ALLOWED_ORIGINS); empty: same origin only. */
  allowedOrigins?: readonly string[];
}

export function buildHttpServer(deps: HttpDeps, logger: Logger, options: HttpOptions): App {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: LIMITS.jsonBodyBytes,
    // Per-request lines would dominate the log at chat rates; latency goes to metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors,
    clientErrorHandler: clientErrors,
  }).withTypeProvider<ZodTypeProvider>();

  const routes: string[] = [];
  const schemas = new Map<string, FastifySchema>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
    for (const method of [route.method].flat()) schemas.set(`${method} ${route.url}`, route.schema ?? {});
  });
  app.decorate('registeredRoutes', routes);
  app.decorate('routeSchemas', schemas);

  registerSecurityHeaders(app, options.allowedOrigins ?? []);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  // While draining, every answer closes its connection. Otherwise a keep-alive
  // socket whose request was in flight at close() turns idle afterwards, is
  // never closed, and the drain waits for the client to hang up.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (deps.isDraining()) reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) request.log.error({ url: request.url, status: reply.statusCode }, 'request failed');
  });

  healthRoutes(app, deps);
  authRoutes(app, deps);
  app.register(async (scope) => {
    // onRequest, before the body is read or validated: an anonymous caller learns
    // nothing about a route's schema and cannot make the server parse its body.
    scope.addHook('onRequest', authenticateHook(deps.accounts, deps.metrics.markActive));
    userRoutes(scope, deps);
    conversationRoutes(scope, deps);
    messageRoutes(scope, deps);
    if (deps.reactions) reactionRoutes(scope, deps.reactions);
    pinRoutes(scope, deps);
    if (deps.channels) channelRoutes(scope, deps.channels);
    if (deps.previews) previewRoutes(scope, deps.previews);
    if (deps.push) {
      deviceRoutes(scope, deps.push);
      notificationRoutes(scope, deps.push);
    }
    const { media } = deps;
    if (media) {
      // The multipart parser only where uploads are taken; limits are set per request.
      scope.register(async (uploads) => {
        await uploads.register(multipart);
        mediaRoutes(uploads, media);
      });
    }
  });
  return app;
}
