/** Reactions over REST (docs/PROTOCOL.md, "Reactions and message changes"). */
import type { Reactions } from '../../../domain/reactions.js';
import { reactBody, reactorsQuery } from '../../../protocol/reactions.js';
import { idParams } from '../../../protocol/schemas.js';
import type { App } from '../deps.js';

export function reactionRoutes(app: App, reactions: Reactions): void {
  app.put('/api/v1/messages/:id/reaction', { schema: { params: idParams, body: reactBody } }, async (request) =>
    reactions.react(request.callerId, request.params.id, request.body.emoji),
  );

  app.delete('/api/v1/messages/:id/reaction', { schema: { params: idParams } }, async (request) =>
    reactions.react(request.callerId, request.params.id, null),
  );

  app.get(
    '/api/v1/messages/:id/reactions',
    { schema: { params: idParams, querystring: reactorsQuery } },
    async (request) => ({
      reactions: await reactions.reactors(request.callerId, request.params.id, request.query.limit),
    }),
  );
}
