/**
 * The ejabberd peer: a private ejabberd node started for the run (config,
 * Mnesia spool and logs in a temp folder on tmpfs, bound to 127.0.0.1 on a free
 * port, nothing stored per message: anonymous sessions, no offline storage,
 * archive or roster), driven
 * with 1:1 XMPP `<message type="chat">` stanzas through @xmpp/client.
 *
 * Users log in with SASL ANONYMOUS (each session gets a fresh JID; no
 * registration step, whose cost would be ejabberdctl starting an Erlang VM per
 * user); a pair's sender addresses its receiver's full JID.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, xml } from '@xmpp/client';
import { type PeerConnection, type PeerEvents, type PeerTransport, runPeerLoad } from '../lib/peer-driver.js';
import { freePort } from '../lib/server-process.js';
import { CONTENT, type Target } from '../lib/targets.js';

const CTL = '/usr/sbin/ejabberdctl';
const DOMAIN = 'bench.localhost';

export function ejabberdInstalled(): boolean {
  return existsSync(CTL);
}

function config(port: number): string {
  return `# Written by bench/peers/ejabberd.ts for one benchmark run.
hosts:
  - ${DOMAIN}
loglevel: warning
certfiles: []
listen:
  -
    port: ${port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 65536
    starttls: false
auth_method: anonymous
anonymous_protocol: sasl_anon
allow_multiple_connections: true
acl:
  local:
    user_regexp: ""
access_rules:
  c2s:
    allow: all
shaper_rules:
  max_user_sessions: 100000
  c2s_shaper: none
modules:
  mod_disco: {}
  mod_ping: {}
`;
}

/** Makes the folder the ejabberd system user's: ejabberdctl run as root drops to it. */
function giveToEjabberd(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(spawnSync('id', ['-u', 'ejabberd'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'ejabberd'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return;
  const walk = (path: string) => {
    chownSync(path, uid, gid);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      else chownSync(join(path, entry.name), uid, gid);
    }
  };
  walk(dir);
}

interface EjabberdNode {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startEjabberd(): Promise<EjabberdNode> {
  // Mnesia (config tables; sessions are RAM tables anyway) on tmpfs where there is one: all in memory.
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-ejabberd-'));
  const port = await freePort();
  mkdirSync(join(dir, 'spool'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'ejabberd.yml'), config(port));
  writeFileSync(
    join(dir, 'ejabberdctl.cfg'),
    [
      'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"',
      `EJABBERD_PID_PATH=${join(dir, 'ejabberd.pid')}`,
      `ERLANG_NODE=bench${port}@localhost`,
      '',
    ].join('\n'),
  );
  if (existsSync('/etc/ejabberd/inetrc')) copyFileSync('/etc/ejabberd/inetrc', join(dir, 'inetrc'));
  giveToEjabberd(dir);
  const ctl = (...command: string[]) =>
    spawnSync(
      CTL,
      [
        '--config-dir',
        dir,
        '--ctl-config',
        join(dir, 'ejabberdctl.cfg'),
        '--config',
        join(dir, 'ejabberd.yml'),
        '--spool',
        join(dir, 'spool'),
        '--logs',
        join(dir, 'logs'),
        ...command,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const started = ctl('start');
  if (started.status !== 0) {
    await cleanup();
    throw new Error(`ejabberdctl start failed: ${started.stderr || started.stdout}`);
  }
  const ready = ctl('started');
  const pidFile = join(dir, 'ejabberd.pid');
  if (ready.status !== 0 || !existsSync(pidFile)) {
    const log = existsSync(join(dir, 'logs', 'error.log')) ? readFileSync(join(dir, 'logs', 'error.log'), 'utf8') : '';
    ctl('stop');
    await cleanup();
    throw new Error(`ejabberd did not start: ${ready.stderr || ready.stdout}\n${log.slice(-2000)}`);
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    port,
    pid,
    async stop() {
      ctl('stop');
      ctl('stopped');
      await cleanup();
    },
  };
}

interface XmppStanza {
  is(name: string): boolean;
  attrs: Record<string, string | undefined>;
}

interface XmppClient {
  on(event: 'stanza', listener: (stanza: XmppStanza) => void): void;
  on(event: 'offline' | 'error', listener: (reason?: unknown) => void): void;
  start(): Promise<{ toString(): string }>;
  stop(): Promise<void>;
  send(stanza: unknown): Promise<void>;
  socket: { setNoDelay?(noDelay: boolean): void } | null;
}

function xmppTransport(port: number): PeerTransport {
  const receiverJids: string[] = [];
  return {
    acks: false,
    async open(index: number, role: 'sender' | 'receiver', events: PeerEvents): Promise<PeerConnection> {
      const xmpp = client({ service: `xmpp://127.0.0.1:${port}`, domain: DOMAIN }) as unknown as XmppClient;
      let closing = false;
      xmpp.on('stanza', (stanza) => {
        if (stanza.is('message') && stanza.attrs.id) events.onMessage(stanza.attrs.id);
      });
      xmpp.on('error', () => undefined);
      xmpp.on('offline', () => {
        if (!closing) events.onDisconnect('offline');
      });
      const address = (await xmpp.start()).toString();
      // Like `ws` does for every other target: no Nagle delay on small stanzas (net.Socket's default keeps it).
      xmpp.socket?.setNoDelay?.(true);
      if (role === 'receiver') receiverJids[index] = address;
      const to = receiverJids[index] ?? '';
      return {
        send(id, content) {
          xmpp.send(xml('message', { to, type: 'chat', id }, xml('body', {}, content))).catch(() => undefined);
        },
        async close() {
          closing = true;
          await xmpp.stop().catch(() => undefined);
        },
      };
    },
  };
}

export async function ejabberdTarget(pairs: number): Promise<Target> {
  const node = await startEjabberd();
  const transport = xmppTransport(node.port);
  return {
    name: 'ejabberd',
    pids: [node.pid],
    run: (load, timing, tag, hooks) =>
      runPeerLoad({ transport, pairs, load, ...timing, content: CONTENT, tag, ...hooks }),
    stop: () => node.stop(),
  };
}
