/**
 * The preview image of a message: the re-encoded WebP, for the members who can
 * see the message (the same answer, not_found, for everyone else and for a
 * message without one). Immutable and content-addressed, like media.
 */

import type { App } from '../gateway/http/deps.js';
import { etagOf, notModified } from '../media/ranges.js';
import { idParams } from '../protocol/schemas.js';
import type { LinkPreviews } from './service.js';

export function previewRoutes(app: App, previews: LinkPreviews): void {
  app.get('/api/v1/messages/:id/preview/image', { schema: { params: idParams } }, async (request, reply) => {
    const image = await previews.openImage(request.callerId, request.params.id);
    const etag = etagOf(image.key);
    reply
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('etag', etag)
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline');
    if (notModified(request.headers['if-none-match'], etag)) return reply.status(304).send();
    const stream = await previews.readImage(image);
    return reply.type(image.mimeType).header('content-length', String(image.size)).send(stream);
  });
}
