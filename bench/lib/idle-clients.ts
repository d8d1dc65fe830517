/**
 * Many mostly idle WebSocket clients in one driver process, for the idle and
 * reconnect-storm scenarios. A client speaks the chat protocol's raw frames
 * (the SDK's wire format): it waits for `hello` … `sync:done`, counts the
 * `message:new` frames replayed in between, pings with `{"type":"ping"}` and
 * counts the pongs. Against the bare idle server (`bare`) it is ready on open.
 * After a loss it reconnects as the SDK does: full-jitter exponential backoff
 * (sdk/backoff.ts, ceilings 1 s, 2 s, 4 s …), resuming with the same device id.
 */
import WebSocket from 'ws';
import { Backoff } from '../../sdk/backoff.js';

export type Target = 'chat' | 'bare';

export interface ClientSpec {
  url: string;
  /** The 127.0.0.x source address: each has its own ~28k ephemeral ports. */
  localAddress: string;
}

const PING = '{"type":"ping"}';
const HANDSHAKE_TIMEOUT_MS = 30_000;

export class IdleClient {
  socket: WebSocket | null = null;
  ready = false;
  /** `message:new` frames between this session's `hello` and `sync:done`. */
  replayed = 0;
  /** Distinct seqs replayed in the last session, per conversation, for the resume check. */
  replayedSeqs = new Set<string>();
  pingsSent = 0;
  pongs = 0;
  /** Closes the client did not ask for (while it was ready). */
  unexpectedCloses = 0;
  lastCloseCode = 0;
  /** Failed connection attempts (handshake refused, socket error, timeout). */
  failures = 0;
  firstFailure: string | null = null;
  /** When (epoch ms) the last `sync:done` (or open) arrived. */
  readyAt = 0;
  private intentional = false;
  private readonly backoff = new Backoff();

  constructor(
    readonly spec: ClientSpec,
    readonly target: Target,
  ) {}

  /** One connection attempt: resolves when ready, rejects when refused or lost before. */
  connect(): Promise<void> {
    this.ready = false;
    this.intentional = false;
    this.replayed = 0;
    this.replayedSeqs = new Set();
    const socket = new WebSocket(this.spec.url, {
      perMessageDeflate: false,
      localAddress: this.spec.localAddress,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        socket.terminate();
        reject(new Error(reason));
      };
      const succeed = () => {
        if (settled) return;
        settled = true;
        this.ready = true;
        this.readyAt = Date.now();
        resolve();
      };
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const frame = JSON.parse((data as Buffer).toString('utf8')) as {
          type?: string;
          ref?: string;
          message?: { conversationId?: string; seq?: number };
        };
        switch (frame.type) {
          case 'pong':
            this.pongs++;
            return;
          case 'message:new':
            if (!this.ready) {
              this.replayed++;
              this.replayedSeqs.add(`${frame.message?.conversationId}:${frame.message?.seq}`);
            }
            return;
          case 'sync:done':
            if (frame.ref === undefined) succeed();
            return;
          default:
            return;
        }
      });
      socket.once('open', () => {
        if (this.target === 'bare') succeed();
      });
      socket.once('unexpected-response', (_req, res) => fail(`handshake answered ${res.statusCode}`));
      socket.on('error', (error) => fail(error.message));
      socket.once('close', (code) => {
        if (!settled) fail(`closed before ready: ${code}`);
        // A socket this client already replaced (dropped, then reconnected) is history.
        if (this.socket !== socket) return;
        this.lastCloseCode = code;
        if (!this.intentional) this.unexpectedCloses++;
        this.ready = false;
      });
    });
  }

  /** Connects, retrying with the SDK's backoff until ready or `deadline` (epoch ms). */
  async connectWithRetry(deadline: number, firstDelay = false): Promise<boolean> {
    let wait = firstDelay;
    while (Date.now() < deadline) {
      if (wait) await sleep(this.backoff.next());
      wait = true;
      try {
        await this.connect();
        this.backoff.reset();
        return true;
      } catch (error) {
        this.failures++;
        this.firstFailure ??= (error as Error).message;
      }
    }
    return false;
  }

  ping(): void {
    if (!this.ready || this.socket?.readyState !== WebSocket.OPEN) return;
    this.pingsSent++;
    this.socket.send(PING);
  }

  /** Drops the connection as a network loss would: no close frame. */
  drop(): void {
    this.ready = false;
    this.intentional = true;
    this.socket?.terminate();
  }

  close(): void {
    this.intentional = true;
    this.ready = false;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.close(1000, 'done');
    else this.socket?.terminate();
    // A peer that never answers the close handshake.
    const socket = this.socket;
    setTimeout(() => socket?.terminate(), 2000).unref();
  }
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Source address of the i-th connection of a phase: at most `perAddress` per address. */
export function sourceAddress(phase: number, i: number, perAddress = 10_000): string {
  return `127.0.${phase}.${2 + Math.floor(i / perAddress)}`;
}
