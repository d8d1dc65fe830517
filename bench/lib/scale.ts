/**
 * Helpers of the scale scenarios (idle, history, reconnect-storm): a server
 * whose memory can be read after a collection, the bare `ws` idle server,
 * driver child processes, the file-descriptor limit, and a data folder seeded
 * directly through the server's own migrated schema.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TokenService } from '../../src/auth/tokens.js';
import type { Db, OpenDatabaseOptions } from '../../src/store/sqlite/database.js';
import { buildServer, freePort, type ServerProcess } from './server-process.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The secret every scale benchmark's server runs with, so the drivers can mint tokens. */
export const BENCH_SECRET = 'bench-scale-secret-bench-scale-secret!';

/** Where reports go: bench/results, or $BENCH_RESULTS_DIR (the smoke test keeps real results intact). */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? join(import.meta.dirname, '..', 'results');
}

/**
 * The checkout whose dist/ is benchmarked: this one, or $BENCH_SERVER_ROOT (a
 * separately built tree, e.g. a clean export of a commit, when this checkout
 * is mid-edit).
 */
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ?? ROOT;

/** Names the benchmarked build in a report (the machine line's commit is this checkout's). */
export function serverBuild(): string {
  if (fromSource) return 'this checkout, src/ through tsx (--quick)';
  if (SERVER_ROOT === ROOT) return 'this checkout';
  let commit = 'unknown commit';
  try {
    commit = readFileSync(join(SERVER_ROOT, 'BENCH_COMMIT'), 'utf8').trim();
  } catch {
    // A tree without the marker file: the report names its folder only.
  }
  return `${SERVER_ROOT} (${commit})`;
}

let built = false;
let fromSource = false;

/**
 * Builds dist/ once per process (bench/run.ts may run several scenarios), and
 * not at all when it is newer than every source file.
 */
export function ensureBuilt(quick = false): void {
  // --quick runs the server from its sources through tsx: no build, which would outlast the run.
  if (quick && SERVER_ROOT === ROOT) fromSource = true;
  if (fromSource || built || process.env.BENCH_SKIP_BUILD === '1' || SERVER_ROOT !== ROOT) return;
  if (!distIsFresh()) {
    buildServer();
    writeFileSync(BUILT_MARKER, new Date().toISOString());
  }
  built = true;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Written after each build by ensureBuilt: tsc leaves unchanged outputs' times alone. */
const BUILT_MARKER = join(ROOT, 'dist', '.bench-built');

function distIsFresh(): boolean {
  try {
    const built = statSync(BUILT_MARKER).mtimeMs;
    return built > newestSource(join(ROOT, 'src')) && built > statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs;
  } catch {
    return false;
  }
}

/** This process's open-file limit (soft; children inherit it): every socket is a descriptor. */
export function openFileLimit(): number {
  const match = /^Max open files\s+(\d+)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match ? Number(match[1]) : 1024;
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Env that preloads bench/lib/memory-preload.mjs, listening on `port`. */
export function memoryPreloadEnv(port: number): Record<string, string> {
  const preload = pathToFileURL(join(import.meta.dirname, 'memory-preload.mjs')).href;
  return { NODE_OPTIONS: `--import=${preload}`, BENCH_MEMORY_PORT: String(port) };
}

/** The process's memory after two full collections (memory-preload.mjs). */
export async function readMemory(port: number): Promise<MemoryUsage> {
  const response = await fetch(`http://127.0.0.1:${port}/memory`);
  if (!response.ok) throw new Error(`memory endpoint answered ${response.status}`);
  return (await response.json()) as MemoryUsage;
}

export async function writeHeapSnapshot(port: number, file: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/snapshot?file=${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`snapshot endpoint answered ${response.status}: ${await response.text()}`);
}

export interface ChildServer {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The bare idle server (bench/relay/idle-server.ts) with the memory preload. */
export async function startIdleServer(memoryPort: number): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'relay', 'idle-server.ts'), '0'], {
    cwd: ROOT,
    env: { ...process.env, ...memoryPreloadEnv(memoryPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('idle server did not start')), 30_000);
    let output = '';
    child.once('exit', (code) => reject(new Error(`idle server exited with ${code}`)));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(Number(match[1]));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    child,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/** A load-driver child process (TypeScript via tsx) with an IPC channel. */
export function forkDriver(module: string): ChildProcess {
  return fork(module, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends a command to a driver and waits for its answer of the same `type`. */
export function ask<T>(driver: ChildProcess, message: { type: string } & Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { type?: string; error?: string }) => {
      if (reply.type === 'error') {
        cleanup();
        reject(new Error(reply.error ?? 'driver failed'));
      } else if (reply.type === message.type) {
        cleanup();
        resolve(reply as T);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`driver exited with ${code}`));
    };
    const cleanup = () => {
      driver.off('message', onMessage);
      driver.off('exit', onExit);
    };
    driver.on('message', onMessage);
    driver.on('exit', onExit);
    driver.send(message);
  });
}

/**
 * A fresh data folder's database, migrated by the benchmarked server's own
 * built code (its dist/, so schema and server always match), tuned for bulk loading.
 */
export async function openSeedDatabase(dataDir: string): Promise<Db> {
  const module = pathToFileURL(
    fromSource
      ? join(ROOT, 'src', 'store', 'sqlite', 'database.ts')
      : join(SERVER_ROOT, 'dist', 'store', 'sqlite', 'database.js'),
  ).href;
  const { openDatabase } = (await import(module)) as { openDatabase: (options: OpenDatabaseOptions) => Db };
  const db = openDatabase({ path: join(dataDir, 'chat.db') });
  // Seeding is not a server write: nothing is acknowledged, so no syncs; a big page cache.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576');
  return db;
}

/** Folds the write-ahead log into the file and closes, so the server starts on a compact database. */
export function closeSeedDatabase(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Not a real argon2 hash: seeded users never log in (their tokens are minted below). */
const SEED_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2VlZGVkLXVzZXI$c2VlZGVkLXVzZXItbm90LWZvci1sb2dpbg';

/** Inserts users `prefix_0 … prefix_{count-1}` in one transaction; answers their ids. */
export function seedUsers(db: Db, prefix: string, count: number, createdAt = new Date().toISOString()): string[] {
  const insert = db.prepare(
    `INSERT INTO users (id, username, display_name, avatar_url, phone, password_hash, created_at)
     VALUES (?, ?, ?, NULL, NULL, ?, ?)`,
  );
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  db.transaction(() => {
    for (const [i, id] of ids.entries())
      insert.run(id, `${prefix}_${i}`, `${prefix} ${i}`, SEED_PASSWORD_HASH, createdAt);
  })();
  return ids;
}

/** Access tokens for the seeded users, signed with BENCH_SECRET as the server would issue them. */
export async function mintTokens(userIds: readonly string[]): Promise<string[]> {
  const tokens = new TokenService(BENCH_SECRET, 24 * 3600);
  return Promise.all(userIds.map((id) => tokens.issue(id)));
}

/** The server's environment for the scale scenarios: caps raised only where the load needs it. */
export function scaleServerEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: BENCH_SECRET,
    LOG_LEVEL: 'warn',
    // Every benchmark client comes from 127.0.0.x: the per-address cap would count them all as one abuser.
    CHAT_MAX_CONNECTIONS_PER_IP: '1000000',
    ...extra,
  };
}

/** The chat server (SERVER_ROOT/dist) as a child process, healthy before this resolves. */
export async function startScaleServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const entry = fromSource
    ? ['--import', 'tsx', join(ROOT, 'src', 'node', 'main.ts')]
    : [join(SERVER_ROOT, 'dist', 'node', 'main.js')];
  const child = spawn(process.execPath, entry, {
    cwd: SERVER_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, stop: () => stopChild(child) };
}

export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

export const MiB = 2 ** 20;
export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;
