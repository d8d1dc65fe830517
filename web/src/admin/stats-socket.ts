/**
 * The dashboard's own WebSocket: subscribes with `admin:subscribe` and hands
 * on `admin:subscribed` (with history) and `admin:stats` frames; reconnects
 * with backoff. An observer connection (`mode=observe`): it gets no chat
 * traffic and replays no outbox, so the chat tab's cursors are left alone.
 */
import type { AdminOverview, AdminStats } from '../../../src/protocol/admin.js';

export interface StatsListener {
  subscribed(overview: AdminOverview): void;
  stats(stats: AdminStats): void;
  status(status: 'connecting' | 'live' | 'forbidden' | 'offline'): void;
}

type Frame =
  | ({ type: 'admin:subscribed' } & AdminOverview)
  | ({ type: 'admin:stats' } & AdminStats)
  | { type: 'error'; code: string; ref?: string }
  | { type: string };

export function openStatsSocket(baseUrl: string, token: string, listener: StatsListener): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    listener.status('connecting');
    const url = new URL('/api/v1/ws', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    // An observer: no chat traffic, outbox or presence of its own.
    url.searchParams.set('mode', 'observe');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'admin:subscribe', ref: 'dashboard' }));
    ws.onmessage = (event) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(event.data)) as Frame;
      } catch {
        return;
      }
      if (frame.type === 'admin:subscribed') {
        attempt = 0;
        listener.status('live');
        listener.subscribed(frame as AdminOverview);
      } else if (frame.type === 'admin:stats') {
        listener.stats(frame as AdminStats);
      } else if (frame.type === 'error' && (frame as { ref?: string }).ref === 'dashboard') {
        listener.status('forbidden');
        stopped = true;
        ws.close(1000);
      }
    };
    ws.onclose = () => {
      if (stopped) return;
      listener.status('offline');
      attempt += 1;
      retry = setTimeout(connect, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
    };
  };
  // The server closes connections that stay silent past the heartbeat timeout.
  const heartbeat = setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
  }, 20_000);
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(heartbeat);
    socket?.close(1000);
  };
}
