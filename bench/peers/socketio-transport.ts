/** Drives the Socket.IO peer (socketio-server.ts) with socket.io-client, for bench/lib/peer-driver.ts. */
import { io } from 'socket.io-client';
import type { PeerConnection, PeerEvents, PeerTransport } from '../lib/peer-driver.js';

const CONNECT_TIMEOUT_MS = 30_000;

interface ChatEvent {
  id: string;
  content: string;
}

export function socketIoTransport(baseUrl: string): PeerTransport {
  return {
    acks: true,
    open(index: number, role: 'sender' | 'receiver', events: PeerEvents): Promise<PeerConnection> {
      const [self, peer] = role === 'sender' ? [`${index}s`, `${index}r`] : [`${index}r`, `${index}s`];
      const socket = io(baseUrl, {
        transports: ['websocket'],
        query: { id: self, peer },
        forceNew: true,
        reconnection: false,
        timeout: CONNECT_TIMEOUT_MS,
      });
      socket.on('chat', (message: ChatEvent) => events.onMessage(message.id));
      const connection: PeerConnection = {
        send(id, content) {
          socket.emit('chat', { id, content } satisfies ChatEvent, () => events.onAck(id));
        },
        close() {
          socket.off('disconnect');
          socket.disconnect();
          return Promise.resolve();
        },
      };
      return new Promise((resolve, reject) => {
        socket.once('connect', () => {
          socket.on('disconnect', (reason) => events.onDisconnect(String(reason)));
          resolve(connection);
        });
        socket.once('connect_error', (error) => reject(new Error(`socket.io ${role} ${index}: ${error.message}`)));
      });
    },
  };
}
