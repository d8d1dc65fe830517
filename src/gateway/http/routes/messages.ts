import { type ForwardResult, forwardMessageBody } from '../../../protocol/forwarding.js';
import { editMessageBody, idParams, searchQuery, sendMessageBody } from '../../../protocol/schemas.js';
import type { RouteGroup } from '../deps.js';

export const messageRoutes: RouteGroup = (app, { messaging }) => {
  app.post('/api/v1/messages', { schema: { body: sendMessageBody } }, async (request, reply) => {
    const { message, created } = await messaging.send(request.callerId, request.body);
    reply.status(created ? 201 : 200);
    return { message };
  });

  // 201 when a copy was posted, 200 when every target repeats an earlier forward.
  app.post(
    '/api/v1/messages/:id/forward',
    { schema: { params: idParams, body: forwardMessageBody } },
    async (request, reply): Promise<ForwardResult> => {
      const results = await messaging.forward(request.callerId, request.params.id, request.body.targets);
      reply.status(results.some((r) => r.created) ? 201 : 200);
      return { messages: results.map((r) => r.message) };
    },
  );

  app.post('/api/v1/messages/:id/read', { schema: { params: idParams } }, async (request) =>
    messaging.markRead(request.callerId, request.params.id),
  );

  app.get('/api/v1/messages/:id/receipts', { schema: { params: idParams } }, async (request) => ({
    receipts: await messaging.receipts(request.callerId, request.params.id),
  }));

  app.patch('/api/v1/messages/:id', { schema: { params: idParams, body: editMessageBody } }, async (request) => ({
    message: await messaging.edit(request.callerId, request.params.id, request.body.content),
  }));

  app.delete('/api/v1/messages/:id', { schema: { params: idParams } }, async (request) => ({
    message: await messaging.delete(request.callerId, request.params.id),
  }));

  app.get('/api/v1/search/messages', { schema: { querystring: searchQuery } }, async (request) => {
    const { q, ...options } = request.query;
    return messaging.search(request.callerId, q, options);
  });
};
