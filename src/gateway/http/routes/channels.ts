/** Broadcast channels (docs/PROTOCOL.md, "Channels"). */
import type { Channels } from '../../../domain/channels.js';
import {
  addChannelMembersBody,
  channelReadersQuery,
  channelRoleBody,
  channelSearchQuery,
  createChannelBody,
  patchChannelBody,
} from '../../../protocol/channels.js';
import { groupMemberParams, idParams } from '../../../protocol/schemas.js';
import type { App } from '../deps.js';

export function channelRoutes(app: App, channels: Channels): void {
  app.post('/api/v1/channels', { schema: { body: createChannelBody } }, async (request, reply) => {
    reply.status(201);
    return { conversation: await channels.create(request.callerId, request.body) };
  });

  app.get('/api/v1/channels', { schema: { querystring: channelSearchQuery } }, async (request) => ({
    channels: await channels.search(request.query.search ?? '', request.query.limit),
  }));

  app.patch('/api/v1/channels/:id', { schema: { params: idParams, body: patchChannelBody } }, async (request) => ({
    conversation: await channels.update(request.callerId, request.params.id, request.body),
  }));

  app.post('/api/v1/channels/:id/join', { schema: { params: idParams } }, async (request) => ({
    conversation: await channels.join(request.callerId, request.params.id),
  }));

  app.put(
    '/api/v1/channels/:id/members',
    { schema: { params: idParams, body: addChannelMembersBody } },
    async (request) => channels.addMembers(request.callerId, request.params.id, request.body.userIds),
  );

  app.delete(
    '/api/v1/channels/:id/members/:userId',
    { schema: { params: groupMemberParams } },
    async (request, reply) => {
      await channels.removeMember(request.callerId, request.params.id, request.params.userId);
      reply.status(204);
    },
  );

  app.put(
    '/api/v1/channels/:id/members/:userId/role',
    { schema: { params: groupMemberParams, body: channelRoleBody } },
    async (request) => ({
      conversation: await channels.setRole(
        request.callerId,
        request.params.id,
        request.params.userId,
        request.body.role,
      ),
    }),
  );

  app.get(
    '/api/v1/channels/:id/readers',
    { schema: { params: idParams, querystring: channelReadersQuery } },
    async (request) => channels.readers(request.callerId, request.params.id, request.query.seqs),
  );
}
