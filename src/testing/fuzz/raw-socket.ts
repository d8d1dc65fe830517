/**
 * A hand-built WebSocket client over a plain TCP socket, for what a polite
 * client library will not send: unmasked frames, absurd length headers,
 * thousands of fragments, reserved opcodes, slow or oversized handshakes.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawFrame {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  /** Clients must mask; false sends the payload in the clear. */
  mask?: boolean;
  /** Announce this length instead of the payload's (as a 64-bit length). */
  announcedLength?: bigint;
}

export function encodeFrame(frame: RawFrame): Buffer {
  const fin = frame.fin ?? true;
  const mask = frame.mask ?? true;
  const length = frame.announcedLength ?? BigInt(frame.payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | frame.opcode];
  let ext = Buffer.alloc(0);
  if (frame.announcedLength === undefined && length < 126n) {
    head.push((mask ? 0x80 : 0) | Number(length));
  } else if (frame.announcedLength === undefined && length < 65536n) {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(length));
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(length);
  }
  let body = frame.payload;
  let key = Buffer.alloc(0);
  if (mask) {
    key = randomBytes(4);
    body = Buffer.from(frame.payload.map((byte, i) => byte ^ (key[i % 4] as number)));
  }
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export interface RawConnection {
  socket: net.Socket;
  /** HTTP status of the handshake answer. */
  status: number;
  /** Text frames received. */
  texts: string[];
  /** Close code from the server's close frame; null until one came. */
  closeCode: number | null;
  /** Resolves when the TCP connection is gone. */
  ended: Promise<void>;
  write(frame: RawFrame): void;
}

export function handshakeRequest(url: string, path: string, extraHeaders: string[] = []): string {
  const host = new URL(url).host;
  const key = randomBytes(16).toString('base64');
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    ...extraHeaders,
    '',
    '',
  ].join('\r\n');
}

/** Opens a TCP connection and performs the upgrade (or not: `status` says what the server answered). */
export function rawConnect(url: string, path: string, extraHeaders: string[] = []): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let buffer: Buffer = Buffer.alloc(0);
    let connection: RawConnection | null = null;
    const timer = setTimeout(() => reject(new Error('no handshake answer')), 10_000);
    socket.once('connect', () => socket.write(handshakeRequest(url, path, extraHeaders)));
    socket.once('close', () => {
      clearTimeout(timer);
      if (!connection) resolve(done(0));
    });
    const done = (status: number): RawConnection => ({
      socket,
      status,
      texts: [],
      closeCode: null,
      ended,
      write: (frame) => {
        if (!socket.destroyed) socket.write(encodeFrame(frame));
      },
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!connection) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buffer.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        connection = done(status);
        buffer = buffer.subarray(end + 4);
        clearTimeout(timer);
        resolve(connection);
      }
      buffer = readFrames(buffer, connection);
    });
  });
}

/** Parses the server's (unmasked) frames; returns what is left of the buffer. */
function readFrames(input: Buffer, connection: RawConnection): Buffer {
  let buffer = input;
  for (;;) {
    if (buffer.length < 2) return buffer;
    const opcode = (buffer[0] as number) & 0x0f;
    let length = (buffer[1] as number) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return buffer;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return buffer;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    if (buffer.length < offset + length) return buffer;
    const payload = buffer.subarray(offset, offset + length);
    if (opcode === 1) connection.texts.push(payload.toString('utf8'));
    if (opcode === 8) connection.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    buffer = buffer.subarray(offset + length);
  }
}
