/**
 * The server under fuzzing: a real node in its own process (so a crash shows
 * as an exit, not as a dead test runner), its memory, a canary client whose
 * round trip must stay fast, and the tally every fuzzer adds to.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { freePort, type NodeProcess, spawnNode } from '../node-process.js';
import { Api, type TestUser, tempDir } from '../server.js';
import { WsClient } from '../ws.js';

export interface FuzzTally {
  name: string;
  /** Inputs sent (frames, requests, command sequences, raw socket attacks). */
  inputs: number;
  /** The server process exited or stopped answering /healthz. */
  crashes: number;
  /** HTTP answers of 500 or more. */
  serverErrors: number;
  /** How connections ended, by close code (or HTTP status for refused handshakes). */
  closes: Record<string, number>;
  notes: string[];
}

export function tally(name: string): FuzzTally {
  return { name, inputs: 0, crashes: 0, serverErrors: 0, closes: {}, notes: [] };
}

export interface FuzzTarget {
  url: string;
  api: Api;
  node: NodeProcess;
  /** Two users sharing a group and a 1:1; `outsider` shares nothing with them. */
  alice: TestUser;
  bob: TestUser;
  outsider: TestUser;
  groupId: string;
  directId: string;
  /** Throws when the process died or /healthz fails. */
  assertAlive(): Promise<void>;
  /** Resident memory of the server process, in bytes (Linux). */
  rssBytes(): number;
  /** Round trip of a ping on the canary connection, in ms. */
  canaryRoundTrip(): Promise<number>;
  close(): Promise<void>;
}

export const FUZZ_SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-0123456789';

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<FuzzTarget> {
  const dataDir = await tempDir('chat-fuzz-');
  const node = await spawnNode({
    id: 'fuzz',
    port: await freePort(),
    from: 'tsx',
    readyTimeoutMs: 60_000,
    env: {
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: FUZZ_SECRET,
      CHAT_LOGIN_LIMIT_PER_IP: '100000',
      LOG_LEVEL: 'error',
      ...env,
    },
  });
  const api = new Api(node.url);
  const [alice, bob, outsider] = await Promise.all([api.user('fz_a'), api.user('fz_b'), api.user('fz_o')]);
  const groupId = await api.group(alice, [bob]);
  const directId = await api.direct(alice, bob);
  const canary = await WsClient.ready(node.url, bob.token, { deviceId: 'canary' });
  canary.keepAlive(5_000);
  return {
    url: node.url,
    api,
    node,
    alice,
    bob,
    outsider,
    groupId,
    directId,
    async assertAlive() {
      if (node.child.exitCode !== null || node.child.signalCode !== null) {
        throw new Error(`server process exited (${node.child.exitCode ?? node.child.signalCode})`);
      }
      const res = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
    },
    rssBytes() {
      const status = readFileSync(`/proc/${node.child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
    async canaryRoundTrip() {
      const started = performance.now();
      await canary.ping(5_000);
      return performance.now() - started;
    },
    async close() {
      await canary.close().catch(() => {});
      await node.stop(5_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
