/**
 * A TCP proxy on loopback for failure tests: put it between a node and
 * PostgreSQL (or any server), then cut the path the ways networks fail.
 *
 * - `reset()`: every open connection is destroyed at once (both sides see the
 *   socket close, as after a server restart or a firewall reset);
 * - `refuse()`: new connections are closed as soon as they arrive, until
 *   `restore()`;
 * - `blackhole()`: nothing flows either way and new connections hang
 *   unanswered, until `restore()` lets the held bytes through (a partition
 *   that heals; TCP keeps the connections).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

type Mode = 'open' | 'refuse' | 'blackhole';

interface Pair {
  client: Socket;
  server: Socket;
  /** Bytes read from either side during a black hole, delivered on restore(). */
  heldBytes: Map<Socket, Buffer[]>;
}

export class TcpProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<Socket>();

  private constructor(
    private readonly listener: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {
    listener.on('connection', (socket) => this.accept(socket));
  }

  /** Listens on a free loopback port, forwarding to host:port. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const listener = createServer();
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => resolve());
    });
    const address = listener.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    return new TcpProxy(listener, address.port, target);
  }

  /** Connections open through the proxy right now. */
  get open(): number {
    return this.pairs.size;
  }

  reset(): void {
    for (const pair of this.pairs) this.drop(pair);
  }

  /** Resets what is open and closes whatever arrives until restore(). */
  refuse(): void {
    this.mode = 'refuse';
    this.reset();
  }

  /** Holds every byte and every new connection until restore(). */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  restore(): void {
    const was = this.mode;
    this.mode = 'open';
    if (was !== 'blackhole') return;
    for (const pair of this.pairs) {
      for (const [from, to] of [
        [pair.client, pair.server],
        [pair.server, pair.client],
      ] as const) {
        const chunks = pair.heldBytes.get(from) ?? [];
        pair.heldBytes.delete(from);
        for (const chunk of chunks) to.write(chunk);
      }
    }
    const held = [...this.held];
    this.held.clear();
    for (const socket of held) this.forward(socket);
  }

  async close(): Promise<void> {
    this.reset();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.mode === 'refuse') {
      socket.destroy();
      return;
    }
    if (this.mode === 'blackhole') {
      socket.pause();
      this.held.add(socket);
      socket.once('close', () => this.held.delete(socket));
      return;
    }
    this.forward(socket);
  }

  private forward(client: Socket): void {
    if (client.destroyed) return;
    const server = connect(this.target.port, this.target.host);
    const pair: Pair = { client, server, heldBytes: new Map() };
    this.pairs.add(pair);
    server.on('error', () => {});
    const end = () => this.drop(pair);
    client.once('close', end);
    server.once('close', end);
    // By hand rather than pipe(): a black hole must hold bytes, not just slow them.
    const relay = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.mode !== 'blackhole') {
          to.write(chunk);
          return;
        }
        const chunks = pair.heldBytes.get(from) ?? [];
        chunks.push(chunk);
        pair.heldBytes.set(from, chunks);
      });
    relay(client, server);
    relay(server, client);
    client.resume();
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    // resetAndDestroy sends RST where the platform allows, like a torn-down path.
    for (const socket of [pair.client, pair.server]) {
      if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
