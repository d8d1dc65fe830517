/**
 * `npm run cluster -- --nodes 3`: a scale-out deployment on this machine.
 *
 * Builds the server when it changed (tsc incremental, the Lua scripts, the web
 * client unless --no-web), starts N nodes as separate processes on ports
 * 8081.. against the local PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) and Redis (REDIS_URL, default
 * redis://127.0.0.1:6379), and a round-robin HTTP + WebSocket proxy on 8080 in
 * front of them (no sticky sessions: every request and every WebSocket goes to
 * the next live node). Ctrl-C or SIGTERM drains and stops everything.
 *
 * Options: --nodes N (3), --port P (8080; nodes on P+1 … P+N), --schema NAME
 * (chat), --prefix NAME (chat: Redis keys under `chat:`), --data DIR
 * (./data/cluster, shared by the nodes: token secret and media files), --no-web.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type NodeProcess, ROOT, spawnNode } from '../src/testing/node-process.js';

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value !== undefined && !value.startsWith('--') ? value : fallback;
}

function intOption(name: string, fallback: number, min: number, max: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

const count = intOption('nodes', 3, 1, 32);
const proxyPort = intOption('port', 8080, 1, 65535 - count);
const schema = option('schema', 'chat');
const prefixName = option('prefix', 'chat');
const prefix = prefixName.endsWith(':') ? prefixName : `${prefixName}:`;
const dataDir = resolve(option('data', join(ROOT, 'data', 'cluster')));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function build(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function buildAssets(): Promise<void> {
  const assets = (await import(pathToFileURL(join(ROOT, 'scripts', 'copy-assets.mjs')).href)) as {
    copyAssets: () => void;
  };
  assets.copyAssets();
  if (process.argv.includes('--no-web')) return;
  try {
    const web = (await import(pathToFileURL(join(ROOT, 'web', 'scripts', 'ensure-built.mjs')).href)) as {
      ensureWebBuilt: () => Promise<void>;
    };
    await web.ensureWebBuilt();
  } catch (error) {
    console.error(
      'the web client failed to build; serving the API only:',
      error instanceof Error ? error.message : error,
    );
  }
}

const nodes: NodeProcess[] = [];
let next = 0;
let stopping = false;

/** The next live node, round-robin. */
function pick(): NodeProcess | undefined {
  const live = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  if (live.length === 0) return undefined;
  next = (next + 1) % live.length;
  return live[next];
}

function forwardedFor(req: http.IncomingMessage): string {
  const previous = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  return previous ? `${previous}, ${client}` : client;
}

const proxy = http.createServer((req, res) => {
  const target = pick();
  if (!target) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('no live node\n');
    return;
  }
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': forwardedFor(req) },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(res.headersSent ? undefined : `node ${target.id} did not answer\n`);
  });
  req.pipe(upstream);
});

// WebSockets: the handshake is replayed to the chosen node over a raw socket, then bytes are piped both ways.
proxy.on('upgrade', (req, client: net.Socket, head: Buffer) => {
  const target = pick();
  if (!target) {
    client.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
    return;
  }
  const upstream = net.connect(target.port, '127.0.0.1', () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === 'x-forwarded-for') continue;
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.setNoDelay(true);
  client.setNoDelay(true);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
});

async function stopAll(code: number): Promise<never> {
  stopping = true;
  proxy.close();
  await Promise.all(nodes.map((n) => n.stop()));
  process.exit(code);
}

async function main(): Promise<void> {
  build();
  await buildAssets();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    CHAT_DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    CHAT_REDIS_PREFIX: prefix,
    CHAT_DATA_DIR: dataDir,
    CHAT_TRUST_PROXY: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const start = (i: number) =>
    spawnNode({ id: `node-${i + 1}`, port: proxyPort + 1 + i, env, from: 'dist', stdio: 'inherit' });
  // The first node creates the schema and tables; the others start together once it is up.
  nodes.push(await start(0));
  nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))));
  for (const node of nodes) {
    void node.exited.then((how) => {
      if (!stopping) console.error(`${node.id} (${node.url}) exited: ${how}; the proxy skips it`);
    });
  }
  await new Promise<void>((ready, fail) => {
    proxy.once('error', fail);
    proxy.listen(proxyPort, '0.0.0.0', ready);
  });
  console.log(
    [
      '',
      `chat cluster: ${count} node(s), PostgreSQL schema "${schema}", Redis prefix "${prefix}", data ${dataDir}`,
      ...nodes.map((n) => `  ${n.id.padEnd(8)} ${n.url}`),
      `  proxy    http://localhost:${proxyPort}  (round-robin HTTP and WebSocket; open this one)`,
      '  Ctrl-C stops everything',
      '',
    ].join('\n'),
  );
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
});
