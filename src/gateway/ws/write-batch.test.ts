/** Frames written in one turn of the event loop leave the socket together, at the turn's end. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { corkUntilNextTurn } from './write-batch.js';

describe('corkUntilNextTurn', () => {
  let client: Socket;
  let peer: Socket;
  const server = createServer();

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    const accepted = once(server, 'connection');
    client = connect(address.port, '127.0.0.1');
    await once(client, 'connect');
    [peer] = (await accepted) as [Socket];
  });
  after(async () => {
    client.destroy();
    peer.destroy();
    server.close();
  });

  it('holds every write of this turn and sends them all in one go at the next', async () => {
    const writesBefore = client.writableLength;
    corkUntilNextTurn(client);
    corkUntilNextTurn(client);
    client.write('one ');
    client.write('two ');
    client.write('three');
    assert.equal(client.writableCorked, 1, 'corked once, however often asked in the turn');
    assert.equal(client.writableLength - writesBefore, 13, 'all three wait in the socket');
    const received = once(peer, 'data');
    await nextTurn();
    assert.equal(client.writableCorked, 0);
    const [chunk] = (await received) as [Buffer];
    assert.equal(chunk.toString(), 'one two three', 'one chunk on the wire');
  });
});
