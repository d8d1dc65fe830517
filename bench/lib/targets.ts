/**
 * What a side-by-side WebSocket scenario measures: each target is its own
 * process (or processes), set up with its pairs before the first run and
 * driven with the same loads and timing. The bare relay, the chat server
 * (fresh data folder), the Socket.IO peer and ejabberd all look alike here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelayProcess } from '../relay/process.js';
import { registerPairs } from './pairs.js';
import { runPeerLoad } from './peer-driver.js';
import { buildServer, startServerProcess } from './server-process.js';
import { type Load, type RunResult, runLoad } from './ws-driver.js';

/** 100 bytes of text, like the store scenario. */
export const CONTENT = 'realtime benchmark message '.padEnd(100, 'x');
export const SECRET = 'bench-secret-bench-secret-bench-secret!';

export interface Timing {
  warmupMs: number;
  durationMs: number;
  drainTimeoutMs: number;
  ackIntervalMs: number;
  maxUnackedPerSender?: number;
}

export interface MeasureHooks {
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface Target {
  /** Row label: "bare relay", "chat server", "Socket.IO", "ejabberd". */
  name: string;
  /** Processes whose CPU and RSS the report shows (summed). */
  pids: number[];
  run(load: Load, timing: Timing, tag: string, hooks: MeasureHooks): Promise<RunResult>;
  stop(): Promise<void>;
}

export async function relayTarget(pairs: number): Promise<Target> {
  const relay = await startRelayProcess();
  const endpoints = Array.from({ length: pairs }, (_, i) => ({
    senderUrl: `${relay.url}/?id=${i}s&peer=${i}r`,
    receiverUrl: `${relay.url}/?id=${i}r&peer=${i}s`,
    conversationId: `c${i}`,
  }));
  return {
    name: 'bare relay',
    pids: [relay.pid],
    run: (load, timing, tag, hooks) =>
      runLoad({ dialect: 'relay', pairs: endpoints, load, ...timing, content: CONTENT, tag, ...hooks }),
    stop: () => relay.stop(),
  };
}

export interface ChatTargetOptions {
  /** Extra server environment (e.g. the CPU-profile preload). */
  env?: Record<string, string>;
  /** Runs src/ through tsx instead of building dist/ (--quick). */
  fromSource?: boolean;
}

export async function chatTarget(pairs: number, options: ChatTargetOptions = {}): Promise<Target & { url: string }> {
  if (!options.fromSource) buildServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-chat-'));
  const server = await startServerProcess(
    {
      CHAT_DATA_DIR: dataDir,
      CHAT_JWT_SECRET: SECRET,
      CHAT_MAX_CONNECTIONS_PER_IP: '100000',
      CHAT_MAX_CONNECTIONS_PER_USER: '1000',
      ...options.env,
    },
    options.fromSource ? 'source' : 'dist',
  ).catch(async (error: unknown) => {
    // A server that does not start leaves no data folder behind.
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const wsBase = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
    const endpoints = await registerPairs(server.url, pairs, {
      prefix: 'rt',
      wsUrl: (_i, _side, token) => `${wsBase}?token=${token}&deviceId=bench`,
    });
    return {
      name: 'chat server',
      url: server.url,
      pids: [server.child.pid ?? 0],
      run: (load, timing, tag, hooks) =>
        runLoad({ dialect: 'chat', pairs: endpoints, load, ...timing, content: CONTENT, tag, ...hooks }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function socketIoTarget(pairs: number): Promise<Target> {
  const { socketIoTransport } = await import('../peers/socketio-transport.js');
  const peer = await startRelayProcess(join(import.meta.dirname, '..', 'peers', 'socketio-server.ts'));
  const transport = socketIoTransport(peer.url.replace(/^ws/, 'http'));
  return {
    name: 'Socket.IO',
    pids: [peer.pid],
    run: (load, timing, tag, hooks) =>
      runPeerLoad({ transport, pairs, load, ...timing, content: CONTENT, tag, ...hooks }),
    stop: () => peer.stop(),
  };
}
