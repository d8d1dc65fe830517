/**
 * One logical connection over successive WebSockets: opens a socket, waits for
 * `hello`, heartbeats, and after a loss reconnects with backoff until a close
 * code says stop (4401, 4403). A handshake refusal carries no close code (the
 * server answers HTTP 401 and browsers cannot read it), so after a socket that
 * never opened the caller is asked whether the credentials are the reason.
 */
import type { Backoff } from './backoff.js';
import { CLOSE_CODES, type ClientFrame, type ServerFrame, shouldReconnect } from './protocol.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';

export type HelloFrame = Extract<ServerFrame, { type: 'hello' }>;
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed';

export interface DownInfo {
  code: number;
  reason: string;
  willReconnect: boolean;
  /** Wait before the next attempt, when reconnecting. */
  delayMs: number | null;
}

export interface ConnectionOptions {
  /** The URL of the next attempt (the token may have changed). */
  url(): string;
  WebSocket: WebSocketConstructor;
  backoff: Backoff;
  /** Ping period; no frame for two periods drops the socket. */
  heartbeatIntervalMs: number;
  /** After a socket that never opened: whether the token is refused (then stop). */
  isUnauthorized(): Promise<boolean>;
}

export interface ConnectionHandlers {
  hello(frame: HelloFrame): void;
  frame(frame: ServerFrame): void;
  /** A connection that had said hello is gone. */
  down(info: DownInfo): void;
  /** Stopped for good by a close code (not by `stop()`). */
  closed(info: { code: number; reason: string }): void;
}

const OPEN = 1;
/** Our own close code when the heartbeat is lost (3000-4999 are free for applications). */
export const HEARTBEAT_LOST = 4000;

type Timer = ReturnType<typeof setTimeout>;

export class Connection {
  private socket: WebSocketLike | null = null;
  private current: ConnectionState = 'idle';
  /** Incremented per socket: callbacks of an older socket are ignored. */
  private generation = 0;
  private reconnectTimer: Timer | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private watchdog: Timer | null = null;
  private lastFrameAt = 0;
  private intervalMs: number;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.intervalMs = options.heartbeatIntervalMs;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Opens (or keeps) the connection; a no-op while connecting or open. */
  start(): void {
    if (this.current === 'connecting' || this.current === 'open') return;
    this.current = 'connecting';
    this.options.backoff.reset();
    this.open();
  }

  /** Closes for good (until the next `start()`). */
  stop(code = 1000, reason = 'client closed'): void {
    this.current = 'closed';
    this.clearTimers();
    const socket = this.detach();
    if (socket) {
      try {
        socket.close(code, reason);
      } catch {
        socket.terminate?.();
      }
    }
  }

  /** Sends a frame on the open connection; false when there is none (the caller queues). */
  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (this.current !== 'open' || !socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Abandons the current socket at once and reconnects (a lost heartbeat). */
  drop(reason: string, code = HEARTBEAT_LOST): void {
    const socket = this.detach();
    if (!socket) return;
    if (socket.terminate) socket.terminate();
    else {
      try {
        socket.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.lost(code, reason, true);
  }

  private open(): void {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation;
    let opened = false;
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.options.url());
    } catch {
      this.lost(1006, 'could not open a socket', false);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (stale()) return;
      opened = true;
      this.lastFrameAt = Date.now();
      this.armWatchdog();
    };
    socket.onmessage = (event: { data?: unknown }) => {
      if (stale()) return;
      this.lastFrameAt = Date.now();
      const frame = parseFrame(event.data);
      if (!frame) return;
      if (frame.type === 'hello') this.onHello(frame);
      else this.handlers.frame(frame);
    };
    socket.onerror = () => {
      // A close event follows; it decides.
    };
    socket.onclose = (event: { code?: number; reason?: string }) => {
      if (stale()) return;
      this.socket = null;
      this.lost(event.code ?? 1006, event.reason ?? '', opened);
    };
  }

  private onHello(frame: HelloFrame): void {
    this.current = 'open';
    this.options.backoff.reset();
    const serverMs = frame.heartbeatSeconds > 0 ? frame.heartbeatSeconds * 1000 : Number.POSITIVE_INFINITY;
    this.intervalMs = Math.min(this.options.heartbeatIntervalMs, serverMs);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), this.intervalMs);
    this.handlers.hello(frame);
  }

  /** No frame for two heartbeat periods: the connection is dead even if the socket does not know. */
  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const limit = 2 * this.intervalMs;
    this.watchdog = setTimeout(
      () => {
        this.watchdog = null;
        if (Date.now() - this.lastFrameAt >= limit) this.drop('heartbeat timeout');
        else this.armWatchdog();
      },
      Math.max(1, this.lastFrameAt + limit - Date.now()),
    );
  }

  private lost(code: number, reason: string, opened: boolean): void {
    const wasOpen = this.current === 'open';
    this.clearSocketTimers();
    if (this.current === 'closed' || this.current === 'idle') return;
    this.current = 'connecting';
    if (!shouldReconnect(code)) {
      this.finish(code, reason, wasOpen);
      return;
    }
    if (opened) {
      this.retry(code, reason, wasOpen);
      return;
    }
    const generation = this.generation;
    this.options.isUnauthorized().then(
      (unauthorized) => {
        if (this.current !== 'connecting' || generation !== this.generation) return;
        if (unauthorized) this.finish(CLOSE_CODES.unauthorized, 'unauthorized', wasOpen);
        else this.retry(code, reason, wasOpen);
      },
      () => {
        if (this.current === 'connecting' && generation === this.generation) this.retry(code, reason, wasOpen);
      },
    );
  }

  private retry(code: number, reason: string, wasOpen: boolean): void {
    const delayMs = this.options.backoff.next();
    // Bumped so a late callback of the previous socket cannot interfere.
    this.generation += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.current === 'connecting') this.open();
    }, delayMs);
    if (wasOpen) this.handlers.down({ code, reason, willReconnect: true, delayMs });
  }

  private finish(code: number, reason: string, wasOpen: boolean): void {
    this.current = 'closed';
    this.clearTimers();
    if (wasOpen) this.handlers.down({ code, reason, willReconnect: false, delayMs: null });
    this.handlers.closed({ code, reason });
  }

  /** Forgets the current socket; its late events are ignored, and never unhandled. */
  private detach(): WebSocketLike | null {
    const socket = this.socket;
    this.socket = null;
    this.generation += 1;
    this.clearSocketTimers();
    if (socket) {
      const ignore = () => {};
      socket.onopen = ignore;
      socket.onmessage = ignore;
      socket.onclose = ignore;
      socket.onerror = ignore;
    }
    return socket;
  }

  private clearSocketTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.pingTimer = null;
    this.watchdog = null;
  }

  private clearTimers(): void {
    this.clearSocketTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}

function parseFrame(data: unknown): ServerFrame | null {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) text = new TextDecoder().decode(data);
  else return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
      ? (value as ServerFrame)
      : null;
  } catch {
    return null;
  }
}
