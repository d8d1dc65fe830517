/**
 * The Socket.IO peer: a plain Socket.IO chat relay, as many Node teams would
 * write one. Each client joins a room named for itself (`?id=3s&peer=3r`);
 * a `chat` event is emitted to the peer's room and acknowledged with Socket.IO's
 * ack callback. No auth, no storage: like bench/relay/relay.ts, but with
 * Socket.IO's framing, event parsing, rooms and acks on top of the same `ws`.
 *
 * Run as its own process: `node --import tsx bench/peers/socketio-server.ts [port]`;
 * prints `listening PORT` once ready and exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const http = createServer();
// WebSocket only (no long-polling upgrade dance), no compression: the same wire as the relay and the server.
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  const id = String(socket.handshake.query.id ?? '');
  const peer = String(socket.handshake.query.peer ?? '');
  void socket.join(id);
  socket.on('chat', (message: unknown, ack: unknown) => {
    io.to(peer).emit('chat', message);
    if (typeof ack === 'function') ack();
  });
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});

process.on('SIGTERM', () => {
  void io.close();
  setTimeout(() => process.exit(0), 1000).unref();
});
