/**
 * The bare relay: the floor a WebSocket chat server can reach on this machine
 * with the same `ws` package. No auth, no storage, no JSON parsing or
 * validation, no ordering or fan-out logic: a client names itself and its peer
 * in the URL (`/?id=3a&peer=3b`), and every text frame it sends is forwarded
 * as-is to the peer (if connected) and answered with a constant ack frame.
 *
 * Run as its own process: `node --import tsx bench/relay/relay.ts [port]`.
 * It prints `listening PORT` on stdout once ready and exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/** The ack is a constant: the relay does not read the frame, so the driver matches acks in order. */
const ACK = Buffer.from('{"type":"message:ack"}');

const port = Number(process.argv[2] ?? 0);
const clients = new Map<string, WebSocket>();
const http = createServer((_req, res) => {
  res.writeHead(426).end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket, request) => {
  const query = new URL(request.url ?? '/', 'http://relay').searchParams;
  const id = query.get('id') ?? '';
  const peerId = query.get('peer') ?? '';
  clients.set(id, socket);
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    clients.get(peerId)?.send(data as Buffer, { binary: false });
    socket.send(ACK, { binary: false });
  });
  socket.on('close', () => {
    if (clients.get(id) === socket) clients.delete(id);
  });
  socket.on('error', () => socket.terminate());
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});

process.on('SIGTERM', () => {
  for (const socket of clients.values()) socket.terminate();
  wss.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
