/** Push targets (`/api/v1/devices`) and the Web Push key a browser subscribes with. */
import { registerDeviceBody } from '../../../protocol/push.js';
import { idParams } from '../../../protocol/schemas.js';
import type { PushService } from '../../../push/service.js';
import type { App } from '../deps.js';

export function deviceRoutes(app: App, push: PushService): void {
  app.get('/api/v1/push/config', async () => push.config());

  app.post('/api/v1/devices', { schema: { body: registerDeviceBody } }, async (request, reply) => {
    const device = await push.registerDevice(request.callerId, request.body);
    return reply.status(201).send({ device });
  });

  app.get('/api/v1/devices', async (request) => ({ devices: await push.listDevices(request.callerId) }));

  app.delete('/api/v1/devices/:id', { schema: { params: idParams } }, async (request, reply) => {
    await push.deleteDevice(request.callerId, request.params.id);
    return reply.status(204).send();
  });
}
