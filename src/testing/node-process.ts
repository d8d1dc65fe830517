/**
 * A chat node as a separate process (the local cluster script, the
 * multi-process test and the cluster benchmark): spawned with its environment,
 * ready once `/healthz` answers, stopped with SIGTERM (drain) or SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface NodeProcess {
  id: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: nothing cleaned up. */
  kill(): Promise<void>;
}

export interface SpawnNodeOptions {
  id: string;
  port: number;
  env: Record<string, string>;
  /** `dist`: the built server (dist/node/main.js); `tsx`: the sources (node --import tsx src/node/main.ts). */
  from: 'dist' | 'tsx';
  /** Where the node's stdout/stderr go: inherited, or dropped (default). */
  stdio?: 'inherit' | 'ignore';
  /** How long to wait for /healthz (default 30 s). */
  readyTimeoutMs?: number;
}

export async function spawnNode(options: SpawnNodeOptions): Promise<NodeProcess> {
  const args =
    options.from === 'dist'
      ? [join(ROOT, 'dist', 'node', 'main.js')]
      : ['--import', 'tsx', join(ROOT, 'src', 'node', 'main.ts')];
  const stdio = options.stdio ?? 'ignore';
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.env,
      CHAT_NODE_ID: options.id,
      PORT: String(options.port),
    },
    stdio: ['ignore', stdio, stdio === 'ignore' ? 'pipe' : 'inherit'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `node ${options.id} exited (${child.exitCode ?? child.signalCode}) before it was ready\n${stderr}`,
      );
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${options.id} was not ready in time\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    id: options.id,
    url,
    port: options.port,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
