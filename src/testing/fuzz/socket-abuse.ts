/**
 * Raw WebSocket abuse from a hand-built socket. Each attack names the ends it
 * may have (close codes, or HTTP statuses for a refused handshake); afterwards
 * the process must still answer, within its memory bound, and the canary
 * connection must keep its latency.
 */
import net from 'node:net';
import { handshakeRequest, type RawConnection, rawConnect } from './raw-socket.js';
import type { FuzzTally, FuzzTarget } from './target.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Attack {
  name: string;
  /** Acceptable outcomes: a close code, `open` (still serving), or `http <status>`. */
  expect: readonly string[];
  run(target: FuzzTarget, path: string): Promise<string>;
}

const text = (s: string) => Buffer.from(s, 'utf8');

/**
 * Connects and waits for the replay to finish (`sync:done`): a violation sent
 * while the server is still setting the session up is sometimes answered by a
 * bare TCP close instead of the close frame (see docs/RELIABILITY.md).
 */
async function connectReady(target: FuzzTarget, path: string): Promise<RawConnection> {
  const c = await rawConnect(target.url, path);
  for (let i = 0; i < 100 && !c.texts.some((t) => t.includes('"sync:done"')); i++) await sleep(50);
  return c;
}

/** Waits for the server's close frame or the TCP end, then names the outcome. */
async function outcome(connection: RawConnection, waitMs = 5_000): Promise<string> {
  await Promise.race([connection.ended, sleep(waitMs)]);
  if (connection.closeCode !== null) return String(connection.closeCode);
  return connection.socket.destroyed ? 'dropped' : 'open';
}

/** A ping frame answered by a pong frame: the connection still serves. */
async function answersPing(connection: RawConnection): Promise<boolean> {
  const before = connection.texts.filter((t) => t.includes('"pong"')).length;
  connection.write({ opcode: 1, payload: text('{"type":"ping"}') });
  for (let i = 0; i < 50; i++) {
    if (connection.texts.filter((t) => t.includes('"pong"')).length > before) return true;
    await sleep(100);
  }
  return false;
}

export const ATTACKS: readonly Attack[] = [
  {
    name: 'frame over the size limit (1 MiB announced, 70 KiB sent)',
    // The server closes with 1009 and drops the socket; a reset can beat the close frame to the client.
    expect: ['1009', 'dropped'],
    async run(target, path) {
      const c = await connectReady(target, path);
      c.write({ opcode: 1, payload: Buffer.alloc(70 * 1024, 0x61), announcedLength: 1024n * 1024n });
      return outcome(c);
    },
  },
  {
    name: '64-bit length header (2^63 - 1)',
    expect: ['1009', '1002', 'dropped'],
    async run(target, path) {
      const c = await connectReady(target, path);
      c.write({ opcode: 1, payload: Buffer.alloc(16), announcedLength: 2n ** 63n - 1n });
      return outcome(c);
    },
  },
  {
    name: '3,000 fragments of one small frame (reassembled and answered)',
    expect: ['open'],
    async run(target, path) {
      const c = await connectReady(target, path);
      const parts = ['{"type":', ...Array.from({ length: 2_998 }, () => ' '), '"ping"}'];
      for (const [i, part] of parts.entries()) {
        c.write({ opcode: i === 0 ? 1 : 0, fin: i === parts.length - 1, payload: text(part) });
      }
      const served = await answersPing(c);
      c.socket.destroy();
      return served ? 'open' : 'silent';
    },
  },
  {
    name: '20,000 fragments adding up past the size limit',
    expect: ['1009', 'dropped'],
    async run(target, path) {
      const c = await connectReady(target, path);
      for (let i = 0; i < 20_000; i++)
        c.write({ opcode: i === 0 ? 1 : 0, fin: false, payload: Buffer.alloc(10, 0x20) });
      return outcome(c);
    },
  },
  {
    name: 'unmasked client frame',
    expect: ['1002'],
    async run(target, path) {
      const c = await connectReady(target, path);
      c.write({ opcode: 1, payload: text('{"type":"ping"}'), mask: false });
      return outcome(c);
    },
  },
  {
    name: 'reserved opcode 0x3',
    expect: ['1002'],
    async run(target, path) {
      const c = await connectReady(target, path);
      c.write({ opcode: 3, payload: text('x') });
      return outcome(c);
    },
  },
  {
    name: 'invalid UTF-8 in a text frame',
    expect: ['1007'],
    async run(target, path) {
      const c = await connectReady(target, path);
      c.write({ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
      return outcome(c);
    },
  },
  {
    name: 'ping flood (5,000 control pings of 125 bytes)',
    // ws terminates a connection with more than 60 automatic pongs pending (maxPendingAutoPongs).
    expect: ['open', 'dropped'],
    async run(target, path) {
      const c = await connectReady(target, path);
      for (let i = 0; i < 5_000; i++) c.write({ opcode: 9, payload: Buffer.alloc(125, 0x70) });
      const served = await answersPing(c);
      const result = served ? 'open' : await outcome(c, 1_000);
      c.socket.destroy();
      return result;
    },
  },
  {
    name: '2,000 handshake headers',
    expect: ['http 413'],
    async run(target, path) {
      const headers = Array.from({ length: 2_000 }, (_, i) => `X-Fuzz-${i}: ${'v'.repeat(20)}`);
      const c = await rawConnect(target.url, path, headers);
      c.socket.destroy();
      return `http ${c.status}`;
    },
  },
  {
    name: 'slow handshakes (100 sockets, one byte per 100 ms for 3 s)',
    expect: ['canary unaffected'],
    async run(target, path) {
      const request = handshakeRequest(target.url, path);
      const { hostname, port } = new URL(target.url);
      const sockets = Array.from({ length: 100 }, () => {
        const s = net.connect(Number(port), hostname);
        s.on('error', () => {});
        return s;
      });
      let slowest = 0;
      for (let i = 0; i < 30; i++) {
        for (const s of sockets) if (!s.destroyed) s.write(request[i] ?? ' ');
        await sleep(100);
        if (i % 10 === 0) slowest = Math.max(slowest, await target.canaryRoundTrip());
      }
      for (const s of sockets) s.destroy();
      return slowest < 1_000 ? 'canary unaffected' : `canary round trip ${Math.round(slowest)} ms`;
    },
  },
];

/** Runs every attack `rounds` times; throws on the first unexpected outcome. */
export async function abuseSockets(target: FuzzTarget, rounds: number, tally: FuzzTally): Promise<void> {
  const path = `/api/v1/ws?token=${encodeURIComponent(target.alice.token)}&deviceId=raw`;
  const baseline = target.rssBytes();
  for (let round = 0; round < rounds; round++) {
    for (const attack of ATTACKS) {
      tally.inputs++;
      const result = await attack.run(target, path);
      tally.closes[result] = (tally.closes[result] ?? 0) + 1;
      if (!attack.expect.includes(result)) {
        throw new Error(`${attack.name}: ended as ${result}, expected ${attack.expect.join(' or ')}`);
      }
      await target.assertAlive();
    }
  }
  const roundTrip = await target.canaryRoundTrip();
  if (roundTrip > 1_000) throw new Error(`canary round trip ${Math.round(roundTrip)} ms after the attacks`);
  const grown = target.rssBytes() - baseline;
  tally.notes.push(
    `server RSS grew ${Math.round(grown / 2 ** 20)} MiB over the attacks; canary ${roundTrip.toFixed(1)} ms`,
  );
  if (grown > 256 * 2 ** 20) throw new Error(`server memory grew ${Math.round(grown / 2 ** 20)} MiB`);
}
