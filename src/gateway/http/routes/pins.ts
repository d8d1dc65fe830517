/** Pinned and archived chats (the caller's), the archive setting, and a conversation's pinned messages. */
import { chatSettingsBody, conversationIdParams, pinnedMessageParams } from '../../../protocol/pins.js';
import { idParams } from '../../../protocol/schemas.js';
import type { RouteGroup } from '../deps.js';

export const pinRoutes: RouteGroup = (app, { chatStates, pinnedMessages }) => {
  const params = { schema: { params: conversationIdParams } };

  app.put('/api/v1/users/me/pinned-chats/:conversationId', params, async (request) => ({
    state: await chatStates.pin(request.callerId, request.params.conversationId),
  }));

  app.delete('/api/v1/users/me/pinned-chats/:conversationId', params, async (request) => ({
    state: await chatStates.unpin(request.callerId, request.params.conversationId),
  }));

  app.put('/api/v1/users/me/archived-chats/:conversationId', params, async (request) => ({
    state: await chatStates.archive(request.callerId, request.params.conversationId),
  }));

  app.delete('/api/v1/users/me/archived-chats/:conversationId', params, async (request) => ({
    state: await chatStates.unarchive(request.callerId, request.params.conversationId),
  }));

  app.get('/api/v1/users/me/chat-settings', async (request) => ({
    settings: await chatStates.settings(request.callerId),
  }));

  app.patch('/api/v1/users/me/chat-settings', { schema: { body: chatSettingsBody } }, async (request) => ({
    settings: await chatStates.updateSettings(request.callerId, request.body),
  }));

  app.get('/api/v1/conversations/:id/pinned-messages', { schema: { params: idParams } }, async (request) => ({
    pins: await pinnedMessages.list(request.callerId, request.params.id),
  }));

  app.put(
    '/api/v1/conversations/:id/pinned-messages/:messageId',
    { schema: { params: pinnedMessageParams } },
    async (request) => ({
      pins: await pinnedMessages.pin(request.callerId, request.params.id, request.params.messageId),
    }),
  );

  app.delete(
    '/api/v1/conversations/:id/pinned-messages/:messageId',
    { schema: { params: pinnedMessageParams } },
    async (request) => ({
      pins: await pinnedMessages.unpin(request.callerId, request.params.id, request.params.messageId),
    }),
  );
};
