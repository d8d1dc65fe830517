/**
 * A TCP proxy that can misbehave on command, put in front of PostgreSQL and
 * Redis in cluster mode (and, with several targets, a round-robin balancer in
 * front of the nodes):
 * - `reset(ms)`: every open connection is reset (RST) and new ones are reset
 *   on arrival for `ms`;
 * - `blackhole(ms)`: nothing moves either way for `ms` (connections stay open,
 *   new ones wait), then the held bytes flow again, as when a partition heals.
 */
import net from 'node:net';

export interface Target {
  host: string;
  port: number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  private resetUntil = 0;
  private holdUntil = 0;
  private next = 0;
  private readonly held = new Set<() => void>();
  /** Bytes that arrived during a black hole, in arrival order, for the socket they go to. */
  private queued: Array<[net.Socket, Buffer]> = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly targets: () => readonly Target[],
  ) {}

  /** Listens on a free loopback port; each connection goes to the next target that accepts it. */
  static async start(targets: () => readonly Target[]): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = net.createServer((socket) => proxy?.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new FaultProxy(server, address.port, targets);
    return proxy;
  }

  get connections(): number {
    return this.pairs.size;
  }

  reset(ms: number): void {
    this.resetUntil = Date.now() + ms;
    for (const pair of this.pairs) this.drop(pair);
  }

  blackhole(ms: number): void {
    this.holdUntil = Date.now() + ms;
    setTimeout(() => this.release(), ms).unref();
  }

  /** Ends any fault now. */
  heal(): void {
    this.resetUntil = 0;
    this.release(true);
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private release(force = false): void {
    if (!force && Date.now() < this.holdUntil - 5) return;
    this.holdUntil = 0;
    const queued = this.queued;
    this.queued = [];
    for (const [socket, chunk] of queued) if (!socket.destroyed) socket.write(chunk);
    const waiting = [...this.held];
    this.held.clear();
    for (const go of waiting) go();
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    if (Date.now() < this.resetUntil) {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null };
    this.pairs.add(pair);
    client.once('close', () => this.drop(pair));
    client.pause();
    const go = () => this.connect(pair, 0);
    if (Date.now() < this.holdUntil) this.held.add(go);
    else go();
  }

  private connect(pair: Pair, attempt: number): void {
    const targets = this.targets();
    if (pair.client.destroyed) return;
    if (targets.length === 0 || attempt >= targets.length) {
      this.drop(pair);
      return;
    }
    const target = targets[this.next++ % targets.length] as Target;
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => {
      if (pair.upstream === upstream) this.drop(pair);
      else this.connect(pair, attempt + 1);
    });
    upstream.once('connect', () => {
      if (pair.client.destroyed) {
        upstream.destroy();
        return;
      }
      pair.upstream = upstream;
      upstream.once('close', () => this.drop(pair));
      this.forward(pair.client, upstream);
      this.forward(upstream, pair.client);
      pair.client.resume();
    });
  }

  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (Date.now() < this.holdUntil || this.queued.length > 0) this.queued.push([to, chunk]);
      else if (!to.destroyed) to.write(chunk);
    });
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}
