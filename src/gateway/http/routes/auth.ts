import { loginBody, registerBody } from '../../../protocol/schemas.js';
import type { RouteGroup } from '../deps.js';

export const authRoutes: RouteGroup = (app, { accounts }) => {
  app.post('/api/v1/auth/register', { schema: { body: registerBody } }, async (request, reply) => {
    reply.status(201);
    return accounts.register(request.body);
  });

  app.post('/api/v1/auth/login', { schema: { body: loginBody } }, async (request) =>
    accounts.login(request.body.username, request.body.password, request.ip),
  );
};
