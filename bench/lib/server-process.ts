/** Runs the built server as a child process, so load drivers never share its event loop. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Compiles the server into dist/. Concurrent builds (several scenarios or
 * checkouts at once) are serialised with flock(1) when it exists. tsc emits
 * even with type errors: those are reported and the emitted JavaScript runs
 * (a shared checkout is often mid-edit elsewhere); no output at all fails.
 */
let built = false;

/** Builds once per process: the scenarios of one `npm run bench` share the build. */
export function buildServer(): void {
  if (built) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [process.execPath, tsc, '-p', 'tsconfig.build.json'];
  const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const [command, ...rest] = hasFlock ? ['flock', '/tmp/chat-bench-build.lock', ...args] : args;
  const result = spawnSync(command ?? process.execPath, rest, { cwd: ROOT, stdio: 'inherit' });
  if (result.status === 0) {
    built = true;
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'node', 'main.js'))) throw new Error('build failed');
  built = true;
  console.error('warning: the server build has type errors (above); benchmarking the JavaScript tsc emitted anyway');
}

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

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `from: 'dist'` runs what buildServer() compiled; `'source'` runs src/ through
 * tsx (no type check, a slower start, the same JavaScript once loaded): for
 * --quick smoke runs, where a full tsc build would take longer than the run.
 */
export async function startServerProcess(
  env: Record<string, string>,
  from: 'dist' | 'source' = 'dist',
): Promise<ServerProcess> {
  const port = await freePort();
  const entry =
    from === 'dist'
      ? [join(ROOT, 'dist', 'node', 'main.js')]
      : ['--import', 'tsx', join(ROOT, 'src', 'node', 'main.ts')];
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      // Benchmarks drive a few users far past the per-user abuse limits.
      CHAT_MESSAGE_RATE_PER_SECOND: '1000000',
      CHAT_MESSAGE_RATE_BURST: '1000000',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
