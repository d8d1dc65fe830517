import { NotReadyError } from '../../../node/readiness.js';
import { errorBody } from '../../../protocol/errors.js';
import type { RouteGroup } from '../deps.js';

export const healthRoutes: RouteGroup = (app, { checkReady, isDraining, metrics }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    if (isDraining()) return reply.status(503).send(errorBody('unavailable', 'draining'));
    try {
      await checkReady();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'not ready');
      // Names the dependency that is down (postgres, redis, sqlite), never an internal message.
      const message = error instanceof NotReadyError ? error.message : 'a dependency does not answer';
      return reply.status(503).send(errorBody('unavailable', message));
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
