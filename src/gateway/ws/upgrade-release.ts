/**
 * Lets go of the HTTP upgrade once its WebSocket is open. For a connection's
 * whole life @fastify/websocket keeps an 'error' listener on the socket that
 * closes over the Fastify request and reply (and through them the
 * IncomingMessage, its headers, the parsed query with the token, the request
 * logger), and the ServerResponse it made for the upgrade stays attached to
 * the TCP socket. The `idle` benchmark measured that as about half the heap an
 * idle connection cost (10.6 → 5.5 KiB per connection; docs/PERFORMANCE.md, idle).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { rawSocket } from './write-batch.js';

/** Replaces the socket's error listeners with `onError` and detaches the upgrade's response. */
export function releaseUpgrade(socket: WebSocket, onError: (error: Error) => void): void {
  // The only listener at this point is the plugin's, which holds the request and reply.
  socket.removeAllListeners('error');
  socket.on('error', onError);
  const tcp = rawSocket(socket) as (Socket & { _httpMessage?: ServerResponse | null }) | null;
  const response = tcp?._httpMessage;
  if (tcp && response && typeof response.detachSocket === 'function') response.detachSocket(tcp);
}
