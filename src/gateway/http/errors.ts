/**
 * The single edge where every failure becomes the contract's error body. Bad
 * input is always a 4xx; only a genuine server fault is a 5xx, and it is logged.
 */
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChatError, type ErrorCode, errorBody } from '../../protocol/errors.js';

/** Fastify's own error codes for request problems, mapped to ours. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

function describeValidation(error: FastifyError): string {
  const issues = error.validation ?? [];
  const where = error.validationContext ?? 'request';
  const details = issues.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    return path ? `${path}: ${issue.message}` : String(issue.message);
  });
  return `invalid ${where}: ${details.join('; ') || error.message}`;
}

/**
 * Fastify's router refuses some URLs before any hook or error handler runs (bad
 * percent-encoding, a path parameter over maxParamLength) and by default answers
 * them in its own body shape; this option hands them to the contract's body.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.status(400).send(errorBody('invalid_request', error.message));
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over the
 * size limit, malformed request lines) get the contract's body too: 413 for
 * headers too large, 400 otherwise. Fastify's default answers them in its own shape.
 */
export function clientErrors(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 413 : 400;
  const body = JSON.stringify(
    tooLarge
      ? errorBody('payload_too_large', 'request headers too large')
      : errorBody('invalid_request', 'malformed HTTP request'),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${tooLarge ? 'Payload Too Large' : 'Bad Request'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ChatError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.status(error.status).send(error.toBody());
    }
    if (error.validation) return reply.status(400).send(errorBody('invalid_request', describeValidation(error)));
    if (error instanceof SyntaxError)
      return reply.status(400).send(errorBody('invalid_request', 'malformed JSON body'));
    const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
    if (mapped) return reply.status(new ChatError(mapped).status).send(errorBody(mapped, error.message));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(400).send(errorBody('invalid_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
