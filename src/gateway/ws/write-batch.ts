/**
 * Frames sent to one socket within one turn of the event loop leave in one
 * write. `ws` writes each frame with its own system call; under load a socket
 * gets several frames per turn (a group commit's acks, receipts, new messages),
 * and those calls were the largest single cost in the server's profile. Corking
 * the socket until the next turn merges them, for at most one turn of delay.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

const corked = new Set<Duplex>();

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** The connection's TCP socket; `ws` keeps it on a field it does not document. */
export function rawSocket(socket: WebSocket): Duplex | null {
  const raw = (socket as unknown as { _socket?: unknown })._socket;
  return raw && typeof (raw as Duplex).cork === 'function' ? (raw as Duplex) : null;
}

/**
 * Writes out what the socket holds now: before it is destroyed, which would
 * drop it (a close frame queued in this turn, say).
 */
export function flushNow(socket: Duplex): void {
  while (socket.writableCorked > 0) socket.uncork();
  corked.delete(socket);
}

/** Holds the socket's writes until the next turn of the event loop. */
export function corkUntilNextTurn(socket: Duplex): void {
  if (corked.has(socket)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  socket.cork();
  corked.add(socket);
}
