/**
 * The WebSocket the SDK runs on: the browser's global one, or a constructor
 * passed in (the `ws` package in Node 20), and the endpoint's URL.
 */

/**
 * What the SDK needs of a WebSocket: the WHATWG API of browsers, which the
 * `ws` package also offers. Handlers take `never` so either implementation's
 * event types fit; the SDK reads events defensively.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the connection without a closing handshake. */
  terminate?(): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The global `WebSocket` (browsers, Node 22+), if there is one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}

/** Stands in when there is no implementation; `connect()` refuses before it is ever used. */
export const missingWebSocket = class {
  constructor() {
    throw new Error('no WebSocket implementation');
  }
} as unknown as WebSocketConstructor;

/** `ws(s)://…/api/v1/ws?token=…&deviceId=…`; a relative baseUrl resolves against the page. */
export function webSocketUrl(baseUrl: string, token: string, deviceId: string): string {
  const page = typeof location === 'undefined' ? undefined : location.href;
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/api/v1/ws`, page);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.searchParams.set('token', token);
  url.searchParams.set('deviceId', deviceId);
  return url.toString();
}
