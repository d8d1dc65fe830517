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
      return reply.status(503).send(errorBody('unavailable', 'storage does not answer'));
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
