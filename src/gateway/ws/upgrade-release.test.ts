/**
 * releaseUpgrade: an open WebSocket keeps nothing of its upgrade request —
 * not the plugin's error listener (which holds the request and reply) and not
 * the ServerResponse attached to its TCP socket — and its errors still reach
 * the handler it was given. Real sockets over loopback, set up the way
 * @fastify/websocket does (a ServerResponse assigned to the upgraded socket).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { releaseUpgrade } from './upgrade-release.js';
import { rawSocket } from './write-batch.js';

const http = createServer();
const wss = new WebSocketServer({ noServer: true });
let upgraded: (socket: WebSocket, request: IncomingMessage) => void = () => undefined;

before(async () => {
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const response = new ServerResponse(request);
    response.assignSocket(socket);
    wss.handleUpgrade(request, socket, head, (ws) => upgraded(ws, request));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
});
after(() => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.closeAllConnections();
  http.close();
});

function connect(): Promise<{ server: WebSocket; client: WebSocket; request: IncomingMessage }> {
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws?token=secret`);
  const serverSide = new Promise<{ server: WebSocket; request: IncomingMessage }>((resolve) => {
    upgraded = (server, request) => resolve({ server, request });
  });
  const open = new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return Promise.all([serverSide, open]).then(([side]) => ({ ...side, client }));
}

describe('releaseUpgrade', () => {
  it('drops the plugin listener and the upgrade response, and routes errors to the new handler', async () => {
    const { server, client, request } = await connect();
    const pluginListener = () => assert.fail(`the plugin's listener must be gone (${request.url})`);
    server.on('error', pluginListener);
    const tcp = rawSocket(server) as (Socket & { _httpMessage?: unknown }) | null;
    assert.ok(tcp?._httpMessage instanceof ServerResponse, 'the setup attaches a response, as the plugin does');

    const errors: Error[] = [];
    releaseUpgrade(server, (error) => errors.push(error));

    assert.equal(server.listenerCount('error'), 1);
    assert.equal(server.listeners('error').includes(pluginListener), false);
    assert.equal(tcp?._httpMessage ?? null, null);
    server.emit('error', new Error('protocol error'));
    assert.deepEqual(
      errors.map((e) => e.message),
      ['protocol error'],
    );

    // The connection itself is untouched: frames still flow both ways.
    const echoed = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    server.once('message', (data) => server.send(`echo ${String(data)}`));
    client.send('ping');
    assert.equal(await echoed, 'echo ping');
    client.close();
  });
});
