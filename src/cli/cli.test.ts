/**
 * The `chat` command: capacity figures, accounts and the admin flag in a real
 * SQLite data folder and a PostgreSQL schema, stats from a running node, and
 * the bin itself as a child process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { startTestServer, type TestServer, tempDir } from '../testing/server.js';
import { requireServices } from '../testing/services.js';
import { progressBar } from './bench.js';
import { parseQuantity } from './capacity.js';
import { run } from './main.js';
import type { Output } from './output.js';

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, line: (text) => out.push(text), error: (text) => err.push(text) };
}

async function chat(args: string[], env: Record<string, string> = {}) {
  const output = capture();
  const code = await run(args, { LOG_LEVEL: 'silent', ...env }, output);
  return { code, stdout: output.out.join('\n'), stderr: output.err.join('\n') };
}

describe('chat capacity', () => {
  it('prints the system design’s WhatsApp figures', async () => {
    const { code, stdout } = await chat(['capacity', '--preset', 'whatsapp']);
    assert.equal(code, 0);
    for (const figure of ['231.5K/s', '20.0B', '2.0 TB', '4.0B', '2.0 PB', '730.7 PB', '3653.7 PB', '350.0M']) {
      assert.ok(stdout.includes(figure), `missing ${figure} in\n${stdout}`);
    }
    assert.match(stdout, /Gateway nodes\s+[\d,]+ \(throughput/);
    assert.match(stdout, /write primaries/);
  });

  it('takes overrides such as --dau, and answers JSON', async () => {
    const { code, stdout } = await chat(['capacity', '--preset', 'whatsapp', '--dau', '100M', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.input.dailyActiveUsers, 100_000_000);
    assert.equal(report.result.messagesPerDay, 4_000_000_000);
    assert.equal(report.result.concurrentConnections, 70_000_000);
    assert.ok(report.figures.nodeMessagesPerSecond > 0);
  });

  it('refuses bad input with exit code 2', async () => {
    assert.equal((await chat(['capacity', '--preset', 'nope'])).code, 2);
    assert.equal((await chat(['capacity', '--dau', 'lots'])).code, 2);
    assert.equal((await chat(['capacity', '--media-share', '3'])).code, 2);
    assert.equal((await chat(['capacity', '--bogus', '1'])).code, 2);
    assert.equal((await chat(['frobnicate'])).code, 2);
    assert.equal(parseQuantity('2.5K', 'x'), 2500);
    assert.equal(parseQuantity('2B', 'x'), 2e9);
  });
});

describe('chat user and chat admin on SQLite', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('chat-cli-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates users (the first is admin), grants, revokes and lists', async () => {
    const env = { CHAT_DATA_DIR: dir };
    assert.equal((await chat(['migrate'], env)).code, 0);
    const first = await chat(['user', 'create', 'ops', '--password', 'correct horse battery'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created ops .*\(admin\)/);
    assert.equal((await chat(['user', 'create', 'bea', '--password', 'correct horse battery'], env)).code, 0);
    assert.equal((await chat(['user', 'create', 'bea', '--password', 'correct horse battery'], env)).code, 2);
    assert.equal((await chat(['user', 'create', 'X!', '--password', 'correct horse battery'], env)).code, 2);
    assert.equal((await chat(['admin', 'list'], env)).stdout, 'ops');

    const granted = await chat(['admin', 'grant', 'bea'], env);
    assert.equal(granted.code, 0);
    assert.equal((await chat(['admin', 'list'], env)).stdout, 'bea\nops');
    assert.equal((await chat(['admin', 'revoke', 'ops'], env)).code, 0);
    assert.equal((await chat(['admin', 'list'], env)).stdout, 'bea');
    const missing = await chat(['admin', 'grant', 'nobody'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no user nobody/);
    assert.equal((await chat(['admin', 'promote', 'bea'], env)).code, 2);

    const listed = await chat(['user', 'list'], env);
    assert.match(listed.stdout, /^bea\s.*admin$/m);
    assert.match(listed.stdout, /^ops\s+\S+$/m);
  });

  it('acts on the data folder a running server uses', async () => {
    const server = await startTestServer({ CHAT_DATA_DIR: dir });
    try {
      const user = await server.api.user('live');
      assertStatus((await server.api.request('GET', '/api/v1/admin/overview', { token: user.token })).status, 403);
      assert.equal((await chat(['admin', 'grant', user.user.username], { CHAT_DATA_DIR: dir })).code, 0);
      assertStatus((await server.api.request('GET', '/api/v1/admin/overview', { token: user.token })).status, 200);
    } finally {
      await server.close();
    }
  });
});

function assertStatus(actual: number, expected: number): void {
  assert.equal(actual, expected);
}

const postgres = { postgres: await unreachableReason(DATABASE_URL) };

requireServices('chat admin on PostgreSQL', postgres, () => {
  let schema: string;
  before(async () => {
    schema = await createSchema(DATABASE_URL);
  });
  after(() => dropSchema(DATABASE_URL, schema));

  it('grants and revokes in the schema DATABASE_URL names', async () => {
    const env = { DATABASE_URL, CHAT_DATABASE_SCHEMA: schema };
    assert.equal((await chat(['user', 'create', 'first', '--password', 'correct horse battery'], env)).code, 0);
    assert.equal((await chat(['user', 'create', 'second', '--password', 'correct horse battery'], env)).code, 0);
    assert.equal((await chat(['admin', 'list'], env)).stdout, 'first');
    assert.equal((await chat(['admin', 'grant', 'second'], env)).code, 0);
    assert.equal((await chat(['admin', 'revoke', 'first'], env)).code, 0);
    assert.equal((await chat(['admin', 'list'], env)).stdout, 'second');
  });
});

describe('chat stats and the bin', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('reads a node’s /metrics', async () => {
    const a = await server.api.user('s1');
    const b = await server.api.user('s2');
    const conversationId = await server.api.direct(a, b);
    await server.api.send(a, conversationId, 'hello');
    const { code, stdout } = await chat(['stats', '--url', server.url, '--interval', '0.2']);
    assert.equal(code, 0);
    assert.match(stdout, /connections\s+0/);
    assert.match(stdout, /messages accepted\/s\s+\d/);
    assert.match(stdout, /RSS \/ heap used\s+\d+ MiB/);
    assert.equal((await chat(['stats', '--url', 'http://127.0.0.1:1'])).code, 2);
  });

  it('runs the benchmark suite as a child, passing its exit code on', async () => {
    const unknown = await chat(['bench', 'no-such-scenario']);
    assert.equal(unknown.code, 2);
    assert.equal(progressBar(1, 3, 'realtime', 6), '[##----] 1/3 realtime');
    assert.equal(progressBar(3, 3, 'done', 6), '[######] 3/3 done');
  });

  it('runs as the package bin', async () => {
    const bin = fileURLToPath(new URL('./bin.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'capacity', '--preset', 'intranet'], {
      timeout: 60_000,
    });
    assert.match(stdout, /Company intranet/);
    assert.match(stdout, /Concurrent connections\s+2\.8K/);
  });
});
