/**
 * The WebSocket endpoint `/api/v1/ws` on the HTTP port. The handshake is
 * checked before the upgrade: a bad token is an HTTP 401, a foreign origin a
 * 403, too many connections a 429; only then does the gateway take the socket.
 */
import websocket from '@fastify/websocket';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Accounts } from '../../domain/accounts.js';
import { ChatError } from '../../protocol/errors.js';
import { LIMITS } from '../../protocol/limits.js';
import { id } from '../../protocol/schemas.js';
import { bearerToken } from '../http/authenticate.js';
import type { App } from '../http/deps.js';
import type { RealtimeGateway } from './gateway.js';
import { releaseUpgrade } from './upgrade-release.js';
import { flushNow, rawSocket } from './write-batch.js';

export interface EndpointOptions {
  allowedOrigins: readonly string[];
  compression: boolean;
}

const handshakeQuery = z.object({
  token: z.string().max(4096).optional(),
  /** Names this device's delivery cursor; acks are per device. */
  deviceId: id.optional(),
  /** `observe`: no chat traffic, no outbox, no presence (the admin dashboard). */
  mode: z.enum(['chat', 'observe']).optional(),
});

declare module 'fastify' {
  interface FastifyRequest {
    deviceId: string;
    /** When the handshake's token expires: the session closes then (4401). */
    tokenExpiresAt: number;
    observer: boolean;
  }
}

export function registerWebSocketEndpoint(
  app: App,
  gateway: RealtimeGateway,
  accounts: Accounts,
  options: EndpointOptions,
): void {
  app.register(websocket, {
    // A protocol error (an unmasked frame, a bad length): ws has queued its close frame with
    // the code, possibly in a socket this turn corked (write-batch.ts); it must go out before
    // the socket does, or the client sees a bare TCP close instead of 1002/1007/1009.
    errorHandler: (error, socket, request) => closeOnError(error, socket, request.log),
    options: {
      maxPayload: LIMITS.wsFrameBytes,
      perMessageDeflate: options.compression,
    },
  });
  app.register(async (scope) => {
    scope.get(
      '/api/v1/ws',
      {
        websocket: true,
        onRequest: async (request) => {
          const origin = request.headers.origin;
          if (origin && options.allowedOrigins.length > 0 && !options.allowedOrigins.includes(origin)) {
            throw new ChatError('forbidden', 'origin not allowed');
          }
          const query = handshakeQuery.safeParse(request.query);
          if (!query.success) throw new ChatError('invalid_request', 'deviceId or token is malformed');
          const token = query.data.token ?? bearerToken(request.headers.authorization);
          if (!token) throw new ChatError('unauthorized', 'missing token');
          const { user, expiresAt } = await accounts.authenticate(token);
          const refusal = gateway.admit(user.id, request.ip);
          if (refusal) {
            if (refusal.status === 429) gateway.metrics.rateLimited.connections.inc();
            throw new ChatError(refusal.status === 429 ? 'rate_limited' : 'unavailable', refusal.reason, {
              retryAfterSeconds: 5,
            });
          }
          request.callerId = user.id;
          request.deviceId = query.data.deviceId ?? 'default';
          request.tokenExpiresAt = expiresAt;
          request.observer = query.data.mode === 'observe';
        },
      },
      (socket, request) => {
        // Nothing of the upgrade request may live as long as the connection (upgrade-release.ts).
        releaseUpgrade(socket, (error) => closeOnError(error, socket, app.log));
        gateway.attach(socket, {
          userId: request.callerId,
          deviceId: request.deviceId,
          address: request.ip,
          expiresAt: request.tokenExpiresAt,
          observer: request.observer,
        });
      },
    );
  });
}

function closeOnError(error: Error, socket: WebSocket, log: FastifyBaseLogger): void {
  log.debug({ err: error }, 'WebSocket protocol error');
  const tcp = rawSocket(socket);
  if (tcp) flushNow(tcp);
  socket.terminate();
}
