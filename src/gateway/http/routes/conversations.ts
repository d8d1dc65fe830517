import {
  addMemberBody,
  createConversationBody,
  createGroupBody,
  groupMemberParams,
  historyQuery,
  idParams,
  patchGroupBody,
  setRoleBody,
} from '../../../protocol/schemas.js';
import type { RouteGroup } from '../deps.js';

export const conversationRoutes: RouteGroup = (app, { conversations, messaging }) => {
  app.post('/api/v1/conversations', { schema: { body: createConversationBody } }, async (request, reply) => {
    const { conversation, created } = await conversations.openDirect(request.callerId, request.body.userId);
    reply.status(created ? 201 : 200);
    return { conversation };
  });

  app.get('/api/v1/conversations/:id', { schema: { params: idParams } }, async (request) => ({
    conversation: await conversations.get(request.callerId, request.params.id),
  }));

  app.get(
    '/api/v1/conversations/:id/messages',
    { schema: { params: idParams, querystring: historyQuery } },
    async (request) => messaging.history(request.callerId, request.params.id, request.query),
  );

  app.post('/api/v1/groups', { schema: { body: createGroupBody } }, async (request, reply) => {
    reply.status(201);
    return { conversation: await conversations.createGroup(request.callerId, request.body) };
  });

  app.patch('/api/v1/groups/:id', { schema: { params: idParams, body: patchGroupBody } }, async (request) => ({
    conversation: await conversations.updateGroup(request.callerId, request.params.id, request.body),
  }));

  app.put('/api/v1/groups/:id/members', { schema: { params: idParams, body: addMemberBody } }, async (request) => ({
    conversation: await conversations.addMember(
      request.callerId,
      request.params.id,
      request.body.userId,
      request.body.role ?? 'member',
    ),
  }));

  app.delete('/api/v1/groups/:id/members/:userId', { schema: { params: groupMemberParams } }, async (request) => ({
    conversation: await conversations.removeMember(request.callerId, request.params.id, request.params.userId),
  }));

  app.put(
    '/api/v1/groups/:id/members/:userId/role',
    { schema: { params: groupMemberParams, body: setRoleBody } },
    async (request) => ({
      conversation: await conversations.setRole(
        request.callerId,
        request.params.id,
        request.params.userId,
        request.body.role,
      ),
    }),
  );
};
