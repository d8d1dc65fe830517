/**
 * Durability of the real process: "once acked it survives a crash of any
 * process", and "SIGTERM drains ... then exit 0" (../shared/CONTRACT.md).
 *
 * Runs src/node/main.ts as a child process over a temporary data folder,
 * kills it (SIGKILL, or SIGTERM) and starts it again on the same folder.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Message } from '../protocol/dto.js';
import { Api, type ApiResponse, type TestUser, tempDir } from '../testing/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JWT_SECRET = 'durability-secret-durability-secret-0123456789';
const START_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 20_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface ChildServer {
  proc: ChildProcess;
  url: string;
  api: Api;
  exited: Promise<Exit>;
  /** Everything the process printed, for failure messages. */
  output(): string;
}

const children = new Set<ChildProcess>();
const folders: string[] = [];

after(async () => {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (!address || typeof address === 'string') return reject(new Error('no port'));
      probe.close(() => resolve(address.port));
    });
  });
}

function childEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Not a test-runner child, and always the embedded storage.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: JWT_SECRET,
    // 200 sends at once from two users: far past the per-user message rate (20/s, bursts of 50).
    CHAT_MESSAGE_RATE_PER_SECOND: '100000',
    CHAT_MESSAGE_RATE_BURST: '100000',
    LOG_LEVEL: 'info',
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function spawnServer(dataDir: string): Promise<ChildServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node/main.ts'], {
      cwd: ROOT,
      env: childEnv(port, dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(proc);
    let log = '';
    proc.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    let exit: Exit | undefined;
    const exited = new Promise<Exit>((resolve) => {
      proc.once('exit', (code, signal) => {
        exit = { code, signal };
        children.delete(proc);
        resolve(exit);
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitFor(`${url}/healthz`, START_TIMEOUT_MS, async () => {
      if (exit) return false;
      try {
        const res = await fetch(`${url}/healthz`);
        await res.arrayBuffer();
        return res.status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    }).catch((error: unknown) => {
      proc.kill('SIGKILL');
      throw new Error(`${String(error)}\n--- server output ---\n${log}`);
    });
    if (ready) return { proc, url, api: new Api(url), exited, output: () => log };
    // Exited before it served: another process may have taken the port.
    if (attempt >= 3 || !/EADDRINUSE/.test(log)) {
      throw new Error(`server exited at start (${JSON.stringify(exit)})\n--- server output ---\n${log}`);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function fullHistory(api: Api, user: TestUser, conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, 'history paging does not end');
    const res: ApiResponse = await api.request(
      'GET',
      `/api/v1/conversations/${conversationId}/messages?after=${after}&limit=200`,
      { token: user.token },
    );
    assert.equal(res.status, 200, `history: ${res.status} ${JSON.stringify(res.body)}`);
    const messages = res.body.messages as Message[];
    all.push(...messages);
    const last = messages.at(-1);
    if (!res.body.hasMore || !last) break;
    after = last.seq;
  }
  return all;
}

/** Every acknowledged message is stored as acknowledged, and seqs are 1..N. */
function assertDurable(stored: Message[], acked: Message[], output: string): void {
  const seqs = stored.map((m) => m.seq);
  assert.deepEqual(
    seqs,
    Array.from({ length: stored.length }, (_, i) => i + 1),
    'seqs after restart are dense from 1',
  );
  assert.equal(new Set(stored.map((m) => m.id)).size, stored.length, 'no duplicate ids');
  const byId = new Map(stored.map((m) => [m.id, m]));
  const lost: string[] = [];
  for (const m of acked) {
    const found = byId.get(m.id);
    if (!found) {
      lost.push(`${m.id} (seq ${m.seq}) missing`);
      continue;
    }
    if (found.seq !== m.seq || found.content !== m.content || found.senderId !== m.senderId) {
      lost.push(`${m.id} changed: acked seq ${m.seq} "${m.content}", stored seq ${found.seq} "${found.content}"`);
    }
  }
  assert.deepEqual(
    lost,
    [],
    `acknowledged messages lost across the restart\n--- server output ---\n${output.slice(-4000)}`,
  );
}

describe('durability of the real process', () => {
  it('every message acknowledged before a SIGKILL is there after a restart', async () => {
    const dataDir = await tempDir('chat-durability-');
    folders.push(dataDir);
    const first = await spawnServer(dataDir);
    const a = await first.api.user('dur_a');
    const b = await first.api.user('dur_b');
    const conversationId = await first.api.direct(a, b);
    assert.ok(conversationId, 'direct conversation opened');

    const acked: Message[] = [];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        first.api
          .request('POST', '/api/v1/messages', {
            token: (i % 2 ? a : b).token,
            body: { conversationId, clientMsgId: `kill-${i}`, content: `durable message ${i}` },
          })
          .then(
            (res) => {
              if (res.status === 201) acked.push(res.body.message as Message);
              else failures.push(`#${i}: ${res.status} ${JSON.stringify(res.body)}`);
            },
            (error: unknown) => failures.push(`#${i}: ${String(error)}`),
          ),
      ),
    );
    // Immediately after the last answer: no chance for a graceful flush.
    first.proc.kill('SIGKILL');
    const exit = await withTimeout(first.exited, EXIT_TIMEOUT_MS, 'SIGKILL exit');
    assert.equal(exit.signal, 'SIGKILL');

    const second = await spawnServer(dataDir);
    try {
      const stored = await fullHistory(second.api, b, conversationId);
      assertDurable(stored, acked, first.output());
      assert.deepEqual(failures, [], 'every send answered 201');
      assert.equal(acked.length, 200);
      assert.equal(stored.length, 200, 'nothing but the acknowledged messages');
      // The restarted node goes on from the stored seq.
      const next = await second.api.send(a, conversationId, 'after the crash');
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.equal(next.body.message.seq, 201);
      // A repeat of an acknowledged clientMsgId is still recognised.
      const repeat = await second.api.request('POST', '/api/v1/messages', {
        token: b.token,
        body: { conversationId, clientMsgId: 'kill-0', content: 'durable message 0' },
      });
      assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
      assert.equal(repeat.body.message.id, acked.find((m) => m.clientMsgId === 'kill-0')?.id);
    } finally {
      second.proc.kill('SIGKILL');
      await withTimeout(second.exited, EXIT_TIMEOUT_MS, 'cleanup exit');
    }
  });

  it('SIGTERM drains and exits 0; what was acknowledged is there after a restart', async () => {
    const dataDir = await tempDir('chat-durability-');
    folders.push(dataDir);
    const first = await spawnServer(dataDir);
    const a = await first.api.user('term_a');
    const b = await first.api.user('term_b');
    const conversationId = await first.api.direct(a, b);

    const before = await first.api.request('POST', '/api/v1/messages', {
      token: a.token,
      body: { conversationId, clientMsgId: 'term-before', content: 'acknowledged just before SIGTERM' },
    });
    assert.equal(before.status, 201, JSON.stringify(before.body));
    const acked: Message[] = [before.body.message as Message];

    // More sends in flight while the signal arrives: whichever are
    // acknowledged must be kept; the others may be refused, never half-done.
    let signalled = false;
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      first.api
        .request('POST', '/api/v1/messages', {
          token: b.token,
          body: { conversationId, clientMsgId: `term-${i}`, content: `in flight ${i}` },
        })
        .then(
          (res) => {
            if (!signalled) {
              signalled = true;
              first.proc.kill('SIGTERM');
            }
            if (res.status === 201) acked.push(res.body.message as Message);
            else assert.ok(res.status === 503, `a refused send during the drain: ${res.status}`);
          },
          () => undefined, // refused at the socket: not acknowledged
        ),
    );
    await Promise.all(inFlight);
    if (!signalled) first.proc.kill('SIGTERM');

    const exit = await withTimeout(first.exited, EXIT_TIMEOUT_MS, 'SIGTERM exit');
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM\n--- output ---\n${first.output()}`);

    const second = await spawnServer(dataDir);
    try {
      const stored = await fullHistory(second.api, a, conversationId);
      assertDurable(stored, acked, first.output());
      const kept = stored.find((m) => m.id === before.body.message.id);
      assert.equal(kept?.content, 'acknowledged just before SIGTERM');
      assert.equal(kept?.seq, 1);
    } finally {
      second.proc.kill('SIGTERM');
      const end = await withTimeout(second.exited, EXIT_TIMEOUT_MS, 'second SIGTERM exit');
      assert.deepEqual(end, { code: 0, signal: null }, 'an idle node exits 0 on SIGTERM');
    }
  });
});
