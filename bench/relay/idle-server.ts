/**
 * The bare idle server: what holding WebSocket connections costs in Node with
 * the same `ws` package and nothing else — no auth, no session, no registry,
 * no timers. Every text frame (the clients' `{"type":"ping"}` heartbeats) is
 * answered with a constant pong. The `idle` scenario compares the chat
 * server's memory per connection with this one's.
 *
 * Run as its own process: `node --import tsx bench/relay/idle-server.ts [port]`.
 * Prints `listening PORT` on stdout once ready; exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const PONG = Buffer.from('{"type":"pong"}');

const port = Number(process.argv[2] ?? 0);
const http = createServer((_req, res) => {
  res.writeHead(426).end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  socket.on('message', (_data, isBinary) => {
    if (!isBinary) socket.send(PONG, { binary: false });
  });
  socket.on('error', () => socket.terminate());
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});

process.on('SIGTERM', () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
