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
  static connect(
    baseUrl: string,
    token: string,
    options: { deviceId?: string; mode?: 'observe'; headers?: Record<string, string> } = {},
  ) {
    const url = new URL('/api/v1/ws', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    if (options.deviceId) url.searchParams.set('deviceId', options.deviceId);
    if (options.mode) url.searchParams.set('mode', options.mode);
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

  /** The endpoint's ws:// URL with the given query parameters (none: no token in the URL). */
  static url(baseUrl: string, params: Record<string, string> = {}): string {
    const url = new URL('/api/v1/ws', baseUrl.replace(/^http/, 'ws'));
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Connects and waits for the replay that follows hello to finish (`sync:done` without ref). */
  static async ready(
    baseUrl: string,
    token: string,
    options: { deviceId?: string; mode?: 'observe'; headers?: Record<string, string> } = {},
  ): Promise<WsClient> {
    const client = await WsClient.connect(baseUrl, token, options);
    await client.next('sync:done', (f) => f.ref === undefined, 10_000);
    return client;
  }

  /**
   * Resolves once `test` holds over the frames received so far; it is checked now, on every
   * new frame and when the connection closes.
   */
  until(test: (frames: readonly Frame[]) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (test(this.frames)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        if (done || !test(this.frames)) return;
        done = true;
        clearTimeout(timer);
        this.socket.off('message', check);
        resolve();
      };
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        this.socket.off('message', check);
        reject(new Error(`${what}: not met within ${timeoutMs} ms (${this.frames.length} frames received)`));
      }, timeoutMs);
      // Registered after the recording listener, so `frames` already holds the new frame.
      this.socket.on('message', check);
      void this.closed.then(check);
    });
  }

  /** The message:new frames of one conversation, in arrival order. */
  messages(conversationId: string): Extract<Frame, { type: 'message:new' }>['message'][] {
    return this.all('message:new')
      .filter((f) => f.message.conversationId === conversationId)
      .map((f) => f.message);
  }

  /** The seqs of message:new frames of one conversation, in arrival order. */
  seqs(conversationId: string): number[] {
    return this.messages(conversationId).map((m) => m.seq);
  }

  /** Waits until `count` message:new frames of the conversation have arrived. */
  waitForMessages(conversationId: string, count: number, timeoutMs = 10_000): Promise<void> {
    return this.until(
      () => this.seqs(conversationId).length >= count,
      timeoutMs,
      `${count} message:new frames of ${conversationId}`,
    );
  }

  /**
   * Sends a ping and waits for its pong: every frame the server sent before it has arrived.
   * `pongsAhead` counts pongs still owed for pings sent before this one (a raw frame that
   * was a ping), which would otherwise be taken for this ping's answer.
   */
  async ping(timeoutMs = 5000, pongsAhead = 0): Promise<void> {
    const pongs = this.all('pong').length;
    this.send({ type: 'ping' });
    await this.until(() => this.all('pong').length > pongs + pongsAhead, timeoutMs, 'pong');
  }

  /** Sends raw bytes, as a text frame or (binary: true) a binary frame. */
  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  /** Pings every `intervalMs` until stopped or closed; returns the stop function. */
  keepAlive(intervalMs: number): () => void {
    const timer = setInterval(() => {
      if (this.socket.readyState === WebSocket.OPEN) this.send({ type: 'ping' });
    }, intervalMs);
    const stop = () => clearInterval(timer);
    void this.closed.then(stop);
    return stop;
  }

  /** Stops reading from the socket (the server's send queue then grows), until resume(). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves with the close code, or rejects if the connection is still open after the timeout. */
  closedWithin(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
      void this.closed.then((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `message:send` and resolves with its `message:ack`, or rejects with a
   * WsFrameError holding the `error` frame that carries the same clientMsgId.
   */
  sendMessage(
    conversationId: string,
    content: string,
    clientMsgId = `ws-${process.pid}-${++wsMessageCounter}`,
    timeoutMs = 10_000,
  ): Promise<Extract<Frame, { type: 'message:ack' }>> {
    // Only an answer that arrives after this send counts (a repeat of a clientMsgId gets its own).
    const settled = (f: Frame) => (f.type === 'message:ack' || f.type === 'error') && f.clientMsgId === clientMsgId;
    const answer = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${clientMsgId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        test: settled,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
    this.send({ type: 'message:send', clientMsgId, conversationId, content });
    return answer.then((frame) => {
      if (frame.type === 'message:ack') return frame;
      throw new WsFrameError(frame as Extract<Frame, { type: 'error' }>);
    });
  }
}

let wsMessageCounter = 0;

/** An `error` frame answered to a request. */
export class WsFrameError extends Error {
  constructor(readonly frame: Extract<Frame, { type: 'error' }>) {
    super(`error frame ${frame.code}: ${frame.message}`);
  }
}

/** Polls `probe` (server-side state, REST answers) until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}
