/**
 * A private `redis-server` for tests that stop and restart Redis: its own
 * port, no persistence (a restart starts empty, like the worst case in
 * production), killed with the test. Never the machine's shared Redis.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './node-process.js';

const BINARY = process.env.TEST_REDIS_SERVER ?? 'redis-server';

/** Why no private Redis can be started here, or null when the binary runs. */
export function redisServerMissing(): string | null {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error) return `${BINARY}: ${probe.error.message}`;
  return probe.status === 0 ? null : `${BINARY} --version exited ${probe.status}`;
}

export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port and waits until it answers. */
  static async start(): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort());
    await server.restart();
    return server;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** SIGKILL: clients see their connections drop; every key is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Starts it (again) on the same port, empty, and waits until it answers. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is running');
    const child = spawn(
      BINARY,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    // Not left behind when the test process ends without its after() hook.
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    child.once('exit', () => process.off('exit', orphaned));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited (${child.exitCode})`);
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 500 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }
}
