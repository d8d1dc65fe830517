/**
 * The fault schedule of a run, drawn from its seed, and the log of what was
 * done. Embedded: kill -9 and restart of the node every `killEveryMs` (30 s),
 * SIGSTOP/SIGCONT pauses between kills, client socket drops every few
 * seconds. Cluster adds: a random node killed every `killEveryMs` (15 s) and
 * restarted seconds later, resets and black holes of the PostgreSQL and Redis
 * connections (the fault proxies), and a Redis restart.
 */
import type { Rng } from './rng.js';

export type FaultKind =
  | 'kill9'
  | 'pause'
  | 'socket-drop'
  | 'postgres-reset'
  | 'postgres-blackhole'
  | 'redis-reset'
  | 'redis-blackhole'
  | 'redis-restart';

export interface PlannedFault {
  /** ms after the traffic starts. */
  at: number;
  kind: FaultKind;
  /** How long the fault lasts (down time, pause, black hole …). */
  durationMs: number;
  /** Node index for kill9/pause; number of clients for socket-drop. */
  target: number;
}

export interface FaultRecord extends PlannedFault {
  /** ms after run start: injected, healed, and recovered (null: did not recover before the end). */
  startedAt: number;
  healedAt: number;
  recoveredAt: number | null;
  detail: string;
}

export interface ScheduleOptions {
  cluster: boolean;
  durationMs: number;
  killEveryMs: number;
  nodes: number;
  clients: number;
}

export function planFaults(rng: Rng, options: ScheduleOptions): PlannedFault[] {
  const plan: PlannedFault[] = [];
  const { durationMs, killEveryMs } = options;
  // The last seconds stay calm so the last fault's recovery is measured inside the run.
  const end = durationMs - 3_000;
  for (let at = killEveryMs; at < end; at += killEveryMs) {
    plan.push({
      at,
      kind: 'kill9',
      durationMs: options.cluster ? rng.int(1_000, 4_000) : 0,
      target: rng.int(0, options.nodes - 1),
    });
    const pauseAt = at - Math.round(killEveryMs / 2) + rng.int(-1_000, 1_000);
    if (pauseAt > 1_000) {
      plan.push({
        at: pauseAt,
        kind: 'pause',
        durationMs: rng.int(1_000, 3_000),
        target: rng.int(0, options.nodes - 1),
      });
    }
  }
  for (let at = rng.int(1_000, 3_000); at < end; at += rng.int(1_500, 4_000)) {
    plan.push({
      at,
      kind: 'socket-drop',
      durationMs: 0,
      target: rng.int(1, Math.max(1, Math.ceil(options.clients / 40))),
    });
  }
  if (options.cluster) {
    let postgres = 0;
    for (let at = 8_000 + rng.int(0, 2_000); at < end; at += rng.int(14_000, 22_000)) {
      plan.push({
        at,
        kind: postgres++ % 2 === 0 ? 'postgres-reset' : 'postgres-blackhole',
        durationMs: rng.int(1_500, 4_000),
        target: 0,
      });
    }
    let redis = 0;
    for (let at = 12_000 + rng.int(0, 2_000); at < end; at += rng.int(17_000, 26_000)) {
      plan.push({
        at,
        kind: redis++ % 2 === 0 ? 'redis-blackhole' : 'redis-reset',
        durationMs: rng.int(1_500, 4_000),
        target: 0,
      });
    }
    const restartAt = Math.round(durationMs * 0.55);
    if (restartAt < end)
      plan.push({ at: restartAt, kind: 'redis-restart', durationMs: rng.int(500, 2_000), target: 0 });
  }
  return plan.sort((a, b) => a.at - b.at);
}
