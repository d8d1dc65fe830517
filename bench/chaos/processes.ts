/**
 * The processes a chaos run controls: chat nodes (bench/chaos/node-entry.ts
 * under tsx, restartable on the same port) and, in cluster mode, a
 * redis-server of the run's own on a free port (never the machine's shared
 * one), restartable too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, ROOT } from '../../src/testing/node-process.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A child process that can be killed, paused and started again on the same port. */
abstract class Restartable {
  child: ChildProcess | null = null;
  paused = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  protected abstract spawnChild(): ChildProcess;
  protected abstract ready(): Promise<boolean>;

  async start(timeoutMs = 60_000): Promise<void> {
    const child = this.spawnChild();
    this.child = child;
    this.paused = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited before it was ready\n${stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready in time\n${stderr}`);
      await sleep(100);
    }
  }

  /** kill -9. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child?.kill('SIGKILL');
    await this.exited;
    this.paused = false;
  }

  pause(): void {
    if (this.alive && !this.paused) {
      this.child?.kill('SIGSTOP');
      this.paused = true;
    }
  }

  resume(): void {
    if (this.alive && this.paused) {
      this.child?.kill('SIGCONT');
      this.paused = false;
    }
  }

  /** SIGTERM (after a SIGCONT), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.resume();
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export class ChaosNode extends Restartable {
  constructor(
    name: string,
    port: number,
    private readonly env: Record<string, string>,
  ) {
    super(name, port);
  }

  static async create(name: string, env: Record<string, string>): Promise<ChaosNode> {
    return new ChaosNode(name, await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected spawnChild(): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'chaos', 'node-entry.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        ...this.env,
        CHAT_NODE_ID: this.name,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }

  protected async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok;
    } catch {
      return false;
    }
  }
}

export class ChaosRedis extends Restartable {
  static async create(): Promise<ChaosRedis> {
    return new ChaosRedis('redis', await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected spawnChild(): ChildProcess {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    return spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  protected ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setTimeout(1_000);
      let answer = '';
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('\r\n')) {
          socket.destroy();
          resolve(answer.startsWith('+PONG'));
        }
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }
}
