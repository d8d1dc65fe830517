import { ChatError } from '../../../protocol/errors.js';
import { LIMITS } from '../../../protocol/limits.js';
import { conversationListQuery } from '../../../protocol/pins.js';
import { idParams, patchMeBody, userIdParams, userSearchQuery } from '../../../protocol/schemas.js';
import type { RouteGroup } from '../deps.js';

export const userRoutes: RouteGroup = (app, { accounts, chatStates }) => {
  app.get('/api/v1/users/me', async (request) => accounts.me(request.callerId));

  app.patch('/api/v1/users/me', { schema: { body: patchMeBody } }, async (request) =>
    accounts.updateMe(request.callerId, request.body),
  );

  app.get('/api/v1/users', { schema: { querystring: userSearchQuery } }, async (request) => ({
    users: await accounts.search(request.query.search, LIMITS.userSearchLimit),
  }));

  app.get('/api/v1/users/:id', { schema: { params: idParams } }, async (request) => ({
    user: await accounts.getUser(request.params.id),
  }));

  app.get('/api/v1/users/:id/presence', { schema: { params: idParams } }, async (request) =>
    accounts.presenceOf(request.callerId, request.params.id),
  );

  app.get(
    '/api/v1/users/:id/conversations',
    { schema: { params: idParams, querystring: conversationListQuery } },
    async (request) => {
      if (request.params.id !== request.callerId) {
        throw new ChatError('forbidden', 'you may list only your own conversations');
      }
      // With the caller's pinned and archived state of each (docs/PROTOCOL.md, "Pins and archive").
      return chatStates.list(request.callerId, request.query.archived);
    },
  );

  app.get('/api/v1/users/me/contacts', async (request) => ({ users: await accounts.contacts(request.callerId) }));

  app.put('/api/v1/users/me/contacts/:userId', { schema: { params: userIdParams } }, async (request, reply) => {
    await accounts.addContact(request.callerId, request.params.userId);
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/me/contacts/:userId', { schema: { params: userIdParams } }, async (request, reply) => {
    await accounts.removeContact(request.callerId, request.params.userId);
    return reply.status(204).send();
  });

  app.get('/api/v1/users/me/blocks', async (request) => ({ users: await accounts.blocked(request.callerId) }));

  app.put('/api/v1/users/me/blocks/:userId', { schema: { params: userIdParams } }, async (request, reply) => {
    await accounts.block(request.callerId, request.params.userId);
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/me/blocks/:userId', { schema: { params: userIdParams } }, async (request, reply) => {
    await accounts.unblock(request.callerId, request.params.userId);
    return reply.status(204).send();
  });
};
