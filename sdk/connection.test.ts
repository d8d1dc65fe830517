/** The connection lifecycle against a scripted socket: close codes, backoff, heartbeat, refused handshakes. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ChatClient, type ChatClientOptions } from './client.js';
import { ChatApiError } from './errors.js';
import type { ChatEventMap } from './events.js';
import type { FetchLike } from './rest.js';
import { FakeSocket, sleep, waitFor } from './testkit.js';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const meOk: FetchLike = async () => json(200, { user: { id: 'u1' }, settings: {} });
const meRefused: FetchLike = async () => json(401, { error: { code: 'unauthorized', message: 'token expired' } });

const clients: ChatClient[] = [];

function fakeClient(options: Partial<ChatClientOptions> = {}) {
  const client = new ChatClient({
    baseUrl: 'http://chat.test',
    token: 'token',
    deviceId: 'd1',
    WebSocket: FakeSocket,
    fetch: meOk,
    reconnect: { baseMs: 20, maxMs: 40, random: () => 0.999 },
    ...options,
  });
  clients.push(client);
  const events: { [K in keyof ChatEventMap]?: ChatEventMap[K][] } = {};
  const record = <K extends keyof ChatEventMap>(name: K) =>
    client.on(name, (payload) => {
      const list = (events[name] ?? []) as ChatEventMap[K][];
      events[name] = list as (typeof events)[K];
      list.push(payload);
    });
  for (const name of ['connected', 'disconnected', 'closed', 'error'] as const) record(name);
  return { client, events };
}

describe('Connection', () => {
  beforeEach(() => FakeSocket.reset());
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('connects to the WebSocket URL with token and deviceId, resolving on hello', async () => {
    const { client, events } = fakeClient({ baseUrl: 'https://chat.test/prefix/' });
    const connected = client.connect();
    const socket = FakeSocket.last();
    assert.equal(socket.url, 'wss://chat.test/prefix/api/v1/ws?token=token&deviceId=d1');
    assert.equal(client.state, 'connecting');
    socket.hello('user-1');
    await connected;
    assert.equal(client.state, 'open');
    assert.equal(client.userId, 'user-1');
    assert.equal(events.connected?.length, 1);
  });

  for (const code of [4401, 4403]) {
    it(`stops on close code ${code}: closed event with the reason, no reconnect`, async () => {
      const { client, events } = fakeClient();
      const connected = client.connect();
      FakeSocket.last().hello();
      await connected;
      FakeSocket.last().serverClose(code, 'go away');
      await sleep(150);
      assert.equal(FakeSocket.all.length, 1, 'reconnected after a stop code');
      assert.deepEqual(events.closed, [{ code, reason: 'go away' }]);
      assert.deepEqual(events.disconnected, [{ code, reason: 'go away', willReconnect: false, delayMs: null }]);
      assert.equal(client.state, 'closed');
    });
  }

  it('rejects connect() when stopped before hello', async () => {
    const { client } = fakeClient();
    const connected = client.connect();
    FakeSocket.last().open();
    FakeSocket.last().serverClose(4403, 'origin not allowed');
    await assert.rejects(connected, (error: unknown) => error instanceof ChatApiError && error.status === 403);
  });

  it('reconnects after any other code, with backoff reset by each hello', async () => {
    const { client, events } = fakeClient();
    const connected = client.connect();
    FakeSocket.last().hello();
    await connected;
    for (const code of [1006, 1001, 4408, 4429, 4500, 1008]) {
      const before = FakeSocket.all.length;
      FakeSocket.last().serverClose(code);
      await waitFor(() => FakeSocket.all.length === before + 1, `a reconnect after ${code}`);
      FakeSocket.last().hello();
    }
    // Each loss follows a hello, so each waits for the first ceiling (20 ms) at most.
    assert.deepEqual(
      events.disconnected?.map((d) => [d.code, d.willReconnect, d.delayMs]),
      [1006, 1001, 4408, 4429, 4500, 1008].map((code) => [code, true, 19]),
    );
    assert.equal(events.connected?.length, 7);
    assert.equal(events.closed, undefined);
  });

  it('backs off exponentially while attempts fail, without emitting disconnected', async () => {
    const { client, events } = fakeClient({ reconnect: { baseMs: 10, maxMs: 80, random: () => 0.999 } });
    void client.connect();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      times.push(Date.now());
      const before = FakeSocket.all.length;
      FakeSocket.last().serverClose(1006);
      await waitFor(() => FakeSocket.all.length === before + 1, 'a retry');
    }
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // Ceilings 10, 20, 40, 80: the waits grow.
    assert.ok((gaps[3] ?? 0) >= 60, `waits did not grow: ${gaps.join(', ')}`);
    assert.equal(events.disconnected, undefined);
  });

  it('stops with 4401 when the handshake is refused and the token is refused over REST', async () => {
    const { client, events } = fakeClient({ fetch: meRefused });
    const connected = client.connect();
    FakeSocket.last().serverClose(1006);
    await assert.rejects(connected, (error: unknown) => error instanceof ChatApiError && error.status === 401);
    await sleep(100);
    assert.equal(FakeSocket.all.length, 1);
    assert.deepEqual(events.closed, [{ code: 4401, reason: 'unauthorized' }]);
  });

  it('keeps retrying a refused handshake while REST is unreachable', async () => {
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const { client } = fakeClient({ fetch: offline });
    void client.connect();
    FakeSocket.last().serverClose(1006);
    await waitFor(() => FakeSocket.all.length === 2, 'a retry');
    FakeSocket.last().hello();
    assert.equal(client.state, 'open');
  });

  it('pings every interval; frames keep the connection alive (mocked time)', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
    try {
      const { client, events } = fakeClient({ heartbeatIntervalMs: 30 });
      const connected = client.connect();
      const socket = FakeSocket.last();
      socket.hello();
      await connected;
      for (let i = 0; i < 10; i++) {
        mock.timers.tick(20);
        socket.receive({ type: 'pong' });
      }
      // 200 ms at one ping per 30 ms, and frames every 20 ms: never silent for 60 ms.
      assert.equal(socket.sentOf('ping').length, 6);
      assert.equal(FakeSocket.all.length, 1);
      assert.equal(events.disconnected, undefined);
    } finally {
      mock.timers.reset();
    }
  });

  it('drops and reconnects when no frame arrives for two intervals (mocked time)', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
    try {
      const { client, events } = fakeClient({ heartbeatIntervalMs: 30 });
      const connected = client.connect();
      const socket = FakeSocket.last();
      socket.hello();
      await connected;
      mock.timers.tick(40);
      socket.receive({ type: 'pong' });
      mock.timers.tick(59);
      assert.equal(socket.closedWith, null, 'dropped before two silent intervals');
      mock.timers.tick(1);
      assert.equal(socket.closedWith, 4000);
      assert.deepEqual(events.disconnected, [
        { code: 4000, reason: 'heartbeat timeout', willReconnect: true, delayMs: 19 },
      ]);
      mock.timers.tick(19);
      assert.equal(FakeSocket.all.length, 2, 'no reconnect after the backoff delay');
    } finally {
      mock.timers.reset();
    }
  });

  it('close() ends everything: no reconnect, closed event, connect() again works', async () => {
    const { client, events } = fakeClient();
    const connected = client.connect();
    FakeSocket.last().hello();
    await connected;
    client.close();
    assert.equal(FakeSocket.last().closedWith, 1000);
    assert.deepEqual(events.closed, [{ code: 1000, reason: 'client closed' }]);
    await sleep(60);
    assert.equal(FakeSocket.all.length, 1);
    const again = client.connect();
    FakeSocket.last().hello();
    await again;
    assert.equal(FakeSocket.all.length, 2);
  });

  it('refuses to connect without a WebSocket implementation', async () => {
    const { client } = fakeClient({ WebSocket: undefined });
    if ((globalThis as { WebSocket?: unknown }).WebSocket) return;
    await assert.rejects(client.connect(), /no WebSocket/);
  });
});
