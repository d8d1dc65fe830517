/** Per-conversation mutes and the caller's notification settings (do-not-disturb, previews). */
import { muteBody, notificationSettingsBody } from '../../../protocol/push.js';
import { idParams } from '../../../protocol/schemas.js';
import type { PushService } from '../../../push/service.js';
import type { App } from '../deps.js';

export function notificationRoutes(app: App, push: PushService): void {
  app.get('/api/v1/conversations/:id/mute', { schema: { params: idParams } }, async (request) => ({
    mute: await push.muteOf(request.callerId, request.params.id),
  }));

  app.put(
    '/api/v1/conversations/:id/mute',
    { schema: { params: idParams, body: muteBody.optional() } },
    async (request) => ({
      mute: await push.mute(request.callerId, request.params.id, request.body?.until ?? null),
    }),
  );

  app.delete('/api/v1/conversations/:id/mute', { schema: { params: idParams } }, async (request, reply) => {
    await push.unmute(request.callerId, request.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/users/me/notifications', async (request) => ({
    settings: await push.settings(request.callerId),
  }));

  app.patch('/api/v1/users/me/notifications', { schema: { body: notificationSettingsBody } }, async (request) => ({
    settings: await push.updateSettings(request.callerId, request.body),
  }));
}
