/** A raw WebSocket test client: records every frame and waits for the ones a test expects. */
import WebSocket from 'ws';
import type { ServerFrame } from '../protocol/frames.js';

export type Frame = ServerFrame & Record<string, unknown>;

export class WsClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  closeCode: number | null = null;
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  static connect(baseUrl: string, token: string, options: { deviceId?: string; headers?: Record<string, string> } = {}) {
    const url = new URL('/api/v1/ws', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    if (options.deviceId) url.searchParams.set('deviceId', options.deviceId);
    return WsClient.open(url.toString(), options.headers);
  }

  static open(url: string, headers?: Record<string, string>): Promise<WsClient> {
    const socket = new WebSocket(url, { headers });
    const client = new WsClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(new HandshakeRefused(res.statusCode ?? 0)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that matches, within the timeout. */
  next<T extends Frame['type']>(
    type: T,
    test: (frame: Extract<Frame, { type: T }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<Frame, { type: T }>> {
    const matches = (f: Frame) => f.type === type && test(f as Extract<Frame, { type: T }>);
    const seen = this.frames.find(matches);
    if (seen) return Promise.resolve(seen as Extract<Frame, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test: matches,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f as Extract<Frame, { type: T }>);
        },
      });
    });
  }

  /** Frames of one type received so far. */
  all<T extends Frame['type']>(type: T): Extract<Frame, { type: T }>[] {
    return this.frames.filter((f) => f.type === type) as Extract<Frame, { type: T }>[];
  }

  close(): Promise<number> {
    if (this.closeCode === null) this.socket.close(1000);
    return this.closed;
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}
