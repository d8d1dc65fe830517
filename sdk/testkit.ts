/**
 * Test-only helpers for the SDK's tests (Node): not exported by index.ts.
 * A `ws` wrapper that can cut connections at chosen frames, a scripted fake
 * socket, in-memory storage, and waiting/asserting helpers.
 */
import assert from 'node:assert/strict';
import WS from 'ws';
import type { TestServer, TestUser } from '../src/testing/server.js';
import { ChatClient, type ChatClientOptions } from './client.js';
import type { ClientFrame, Message, ServerFrame } from './protocol.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(check: () => boolean, label: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${label}`);
    await sleep(10);
  }
}

type Handler = ((event: { data?: unknown; code?: number; reason?: string }) => void) | null;

/** Knobs shared by every socket one factory makes. */
export interface SocketControl {
  /** Every socket opened, oldest first. */
  sockets: Array<WebSocketLike & { cut(): void; sent: ClientFrame[] }>;
  /** true: cut the connection right after this outgoing frame went out. */
  cutAfterSend?: (frame: ClientFrame) => boolean;
  /** true: cut the connection instead of handing this incoming frame to the SDK. */
  cutOnReceive?: (frame: ServerFrame) => boolean;
  /** Incoming frames vanish (a half-open connection). */
  blackhole?: boolean;
}

/** A WebSocket constructor over the `ws` package whose connections tests can cut. */
export function faultySockets(control: SocketControl): WebSocketConstructor {
  return class FaultySocket implements WebSocketLike {
    onopen: Handler = null;
    onmessage: Handler = null;
    onclose: Handler = null;
    onerror: Handler = null;
    readonly sent: ClientFrame[] = [];
    private readonly ws: WS;
    private isCut = false;

    constructor(url: string) {
      this.ws = new WS(url);
      control.sockets.push(this);
      this.ws.onopen = () => this.onopen?.({});
      this.ws.onerror = () => this.onerror?.({});
      this.ws.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
      this.ws.onmessage = (event) => {
        if (this.isCut || control.blackhole) return;
        const frame = JSON.parse(String(event.data)) as ServerFrame;
        if (control.cutOnReceive?.(frame)) return this.cut();
        this.onmessage?.({ data: event.data });
      };
    }

    get readyState(): number {
      return this.ws.readyState;
    }

    send(data: string): void {
      this.ws.send(data);
      const frame = JSON.parse(data) as ClientFrame;
      this.sent.push(frame);
      if (control.cutAfterSend?.(frame)) this.cut();
    }

    close(code?: number, reason?: string): void {
      this.ws.close(code, reason);
    }

    terminate(): void {
      this.ws.terminate();
    }

    /** Drops the TCP connection without a closing handshake. */
    cut(): void {
      this.isCut = true;
      this.ws.terminate();
    }
  };
}

/** A scripted socket for unit tests: the test opens it, feeds frames and closes it. */
export class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  readyState = 0;
  readonly sent: ClientFrame[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  static reset(): void {
    FakeSocket.all = [];
  }

  static last(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    assert.ok(socket, 'no socket was opened');
    return socket;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  hello(userId = 'u1'): void {
    if (this.readyState === 0) this.open();
    this.receive({ type: 'hello', userId, deviceId: 'd1', serverTime: new Date().toISOString(), heartbeatSeconds: 30 });
  }

  receive(frame: ServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server (or the network) ends the connection. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }

  sentOf<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f) => f.type === type) as Extract<ClientFrame, { type: T }>[];
  }
}

export function memoryStorage(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  data: Map<string, string>;
} {
  const data = new Map<string, string>();
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

/** Fast timings for tests against a real server. */
export const FAST = {
  reconnect: { baseMs: 20, maxMs: 200 },
  heartbeatIntervalMs: 5000,
  gapWaitMs: 100,
  ackDelayMs: 20,
  typingIntervalMs: 150,
  sendRetryDelayMs: 50,
} as const;

export function sdkClient(
  server: TestServer | { url: string },
  user: TestUser,
  options: Partial<ChatClientOptions> = {},
) {
  return new ChatClient({ baseUrl: server.url, token: user.token, WebSocket: WS, ...FAST, ...options });
}

/** Every message the client hands to the app, in arrival order. */
export class Inbox {
  readonly messages: Message[] = [];
  constructor(client: ChatClient) {
    client.on('message', (message) => this.messages.push(message));
  }

  of(conversationId: string): Message[] {
    return this.messages.filter((m) => m.conversationId === conversationId);
  }
}

/** Each message once, seqs contiguous and increasing (from `firstSeq`), with these contents in order. */
export function assertExactlyOnceInOrder(messages: Message[], contents: string[], firstSeq = 1, label = ''): void {
  assert.equal(new Set(messages.map((m) => m.id)).size, messages.length, `${label}: a message arrived twice`);
  assert.deepEqual(
    messages.map((m) => m.seq),
    messages.map((_, i) => firstSeq + i),
    `${label}: seqs are not contiguous and increasing`,
  );
  assert.deepEqual(
    messages.map((m) => m.content),
    contents,
    `${label}: contents differ`,
  );
}

/** The conversation's whole history over REST, ascending. */
export async function fullHistory(client: ChatClient, conversationId: string): Promise<Message[]> {
  const out: Message[] = [];
  let after = 0;
  for (;;) {
    const page = await client.history(conversationId, { after, limit: 200 });
    out.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || !last) return out;
    after = last.seq;
  }
}

/** Connects a client over FakeSocket and says hello; resolves with the socket. */
export async function connected(client: ChatClient): Promise<FakeSocket> {
  const done = client.connect();
  await waitFor(() => FakeSocket.all.length > 0 && FakeSocket.last().readyState === 0, 'a socket');
  FakeSocket.last().hello();
  await done;
  return FakeSocket.last();
}

/** The server drops the connection; resolves with the next socket, said hello. */
export async function reconnect(client: ChatClient): Promise<FakeSocket> {
  const before = FakeSocket.all.length;
  FakeSocket.last().serverClose(1006);
  await waitFor(() => FakeSocket.all.length === before + 1, 'a reconnect');
  FakeSocket.last().hello();
  assert.equal(client.state, 'open');
  return FakeSocket.last();
}

/** A stored message as the server would send it. */
export function message(conversationId: string, seq: number, clientMsgId = `k${seq}`): Message {
  return {
    id: `${conversationId}-${seq}`,
    conversationId,
    senderId: 'u1',
    seq,
    clientMsgId,
    type: 'text',
    content: `m${seq}`,
    media: null,
    replyToId: null,
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deletedAt: null,
  };
}

/** Clients made by fakeClient, closed by closeFakeClients. */
const fakeClients: ChatClient[] = [];

/** A client over FakeSocket with short timings and a REST stub that answers `{}`. */
export function fakeClient(options: Partial<ChatClientOptions> = {}): ChatClient {
  const client = new ChatClient({
    baseUrl: 'http://chat.test',
    token: 'token',
    deviceId: 'd1',
    WebSocket: FakeSocket,
    fetch: async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }),
    reconnect: { baseMs: 5, maxMs: 10 },
    ackDelayMs: 20,
    gapWaitMs: 10_000,
    sendRetryDelayMs: 30,
    typingIntervalMs: 60,
    ...options,
  });
  fakeClients.push(client);
  return client;
}

export function closeFakeClients(): void {
  for (const client of fakeClients.splice(0)) client.close();
}
