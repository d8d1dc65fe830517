/**
 * A WebSocket protocol error is answered with a close frame carrying its code
 * (docs/PROTOCOL.md, close codes), also in the middle of the session's first
 * writes (hello, the outbox replay), when the server's writes of that turn are
 * still held in the socket: found by the raw-socket fuzzer, where about a third
 * of the connections that erred before sync:done saw a bare TCP close.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawConnect } from '../../testing/fuzz/raw-socket.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

let server: TestServer;
let user: TestUser;

before(async () => {
  server = await startTestServer();
  user = await server.api.user('proto_err');
  const peer = await server.api.user('proto_err_peer');
  const direct = await server.api.direct(user, peer);
  // An outbox to replay, so the server is busy writing when the bad frame lands.
  for (let i = 0; i < 30; i += 1) await server.api.send(peer, direct, `replay ${i}`);
});
after(() => server.close());

describe('protocol errors right after the upgrade', () => {
  it('close with 1002 every time, never a bare TCP close', async () => {
    const codes: Array<number | null> = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const connection = await rawConnect(server.url, `/api/v1/ws?token=${encodeURIComponent(user.token)}`);
      assert.equal(connection.status, 101);
      // Unmasked: a client frame must be masked (RFC 6455 5.1).
      connection.write({ opcode: 1, payload: Buffer.from('{"type":"ping"}'), mask: false });
      await connection.ended;
      codes.push(connection.closeCode);
    }
    assert.deepEqual(codes, Array(20).fill(1002));
  });
});
