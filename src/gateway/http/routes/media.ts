/**
 * Media routes: multipart upload, and downloads of the file and its thumbnail
 * with ETag/304, Range/206/416 and headers that keep browsers from sniffing or
 * rendering what they should download. Registered in a scope with the
 * multipart parser (see server.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentDisposition } from '../../../media/filename.js';
import { etagOf, notModified, parseRange } from '../../../media/ranges.js';
import { tooLarge } from '../../../media/receive.js';
import type { MediaService } from '../../../media/service.js';
import { ChatError } from '../../../protocol/errors.js';
import { idParams } from '../../../protocol/schemas.js';
import type { App } from '../deps.js';

/** Room for the multipart framing around the file (boundaries, part headers, small fields). */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Multipart parser errors that are the client's, by their code. */
function clientError(err: unknown, maxBytes: number): ChatError | null {
  if (err instanceof ChatError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(maxBytes);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ChatError('unsupported_media_type', 'send the file as multipart/form-data');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ChatError('invalid_request', 'send exactly one file, in the field "file"');
    case 'FST_PROTO_VIOLATION':
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new ChatError('invalid_request', 'malformed multipart field');
    case 'FST_MP_PREMATURE_CLOSE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'ECONNRESET':
      return new ChatError('invalid_request', 'the upload ended before the file was complete');
    default:
      break;
  }
  if (err instanceof Error && /multipart|boundary|part terminated|unexpected end/i.test(err.message)) {
    return new ChatError('invalid_request', `malformed multipart body: ${err.message}`);
  }
  return null;
}

async function upload(media: MediaService, request: FastifyRequest, reply: FastifyReply) {
  const { maxBytes } = media.limits;
  // An upload refused before its body was read closes the connection instead
  // of reading (and discarding) the rest of a possibly huge body.
  const refuse = (error: ChatError): never => {
    reply.header('connection', 'close');
    throw error;
  };
  if (!request.isMultipart()) {
    refuse(new ChatError('unsupported_media_type', 'send the file as multipart/form-data in the field "file"'));
  }
  const declaredLength = Number(request.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes + MULTIPART_OVERHEAD) refuse(tooLarge(maxBytes));

  try {
    const part = await request.file({
      limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 4096, parts: 10, headerPairs: 100 },
      throwFileSizeLimit: true,
    });
    if (!part) throw new ChatError('invalid_request', 'no file: send it in the multipart field "file"');
    if (part.fieldname !== 'file') {
      throw new ChatError('invalid_request', `unexpected file field "${part.fieldname.slice(0, 64)}": use "file"`);
    }
    const { media: item, created } = await media.upload(request.callerId, {
      stream: part.file,
      fileName: part.filename,
      declaredType: part.mimetype,
    });
    reply.status(created ? 201 : 200);
    return { media: item };
  } catch (err) {
    const known = clientError(err, maxBytes);
    if (!known) throw err;
    return refuse(known);
  }
}

async function download(
  media: MediaService,
  request: FastifyRequest,
  mediaId: string,
  reply: FastifyReply,
  variant: 'file' | 'thumbnail',
) {
  const blob = await media.open(request.callerId, mediaId, variant);
  const etag = etagOf(blob.key);
  reply
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('etag', etag)
    .header('accept-ranges', 'bytes')
    // Opened directly, the bytes may not run scripts or load anything.
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', contentDisposition(blob.inline ? 'inline' : 'attachment', blob.fileName));
  if (notModified(request.headers['if-none-match'], etag)) return reply.status(304).send();

  const ifRange = [request.headers['if-range']].flat()[0];
  const answer = parseRange(request.headers.range, blob.size, ifRange, etag);
  if (answer.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${blob.size}`);
    throw new ChatError('range_not_satisfiable', `the range lies outside the ${blob.size} bytes of this media`);
  }
  reply.type(blob.mimeType);
  if (answer.kind === 'partial') {
    const { start, end } = answer.range;
    const stream = await media.read(blob, answer.range);
    return reply
      .status(206)
      .header('content-range', `bytes ${start}-${end}/${blob.size}`)
      .header('content-length', String(end - start + 1))
      .send(stream);
  }
  const stream = await media.read(blob);
  return reply.status(200).header('content-length', String(blob.size)).send(stream);
}

export function mediaRoutes(app: App, media: MediaService): void {
  // Every answer of these routes, errors included: browsers never guess a type here.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  app.post('/api/v1/media', (request, reply) => upload(media, request, reply));

  app.get('/api/v1/media/:id', { schema: { params: idParams } }, (request, reply) =>
    download(media, request, request.params.id, reply, 'file'),
  );

  app.get('/api/v1/media/:id/thumbnail', { schema: { params: idParams } }, (request, reply) =>
    download(media, request, request.params.id, reply, 'thumbnail'),
  );
}
