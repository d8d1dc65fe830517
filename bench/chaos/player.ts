/** Plays the fault schedule against the world, logging each fault and measuring its recovery. */
import type { AckTiming, ChaosClient } from './clients.js';
import type { FaultRecord, PlannedFault } from './faults.js';
import type { Rng } from './rng.js';
import { sleep, until } from './wait.js';
import type { World } from './world.js';

/** Starts a killed node again, retrying for a minute (a start can fail, e.g. while the sources change). */
async function startAgain(node: World['nodes'][number], log: (line: string) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      await node.start();
      return attempt > 1 ? ` after ${attempt} starts` : '';
    } catch (error) {
      const lines = String(error)
        .split('\n')
        .filter((line) => line.trim());
      const cause = lines.find((line, i) => i > 0 && /error/i.test(line) && !/^\s*at /.test(line)) ?? lines.at(-1);
      log(`${node.name} did not start (attempt ${attempt}): ${cause?.trim().slice(0, 300)}`);
      if (attempt >= 30) throw error;
      await sleep(2_000);
    }
  }
}

export interface FaultPlayer {
  world: World;
  clients: readonly ChaosClient[];
  acks: readonly AckTiming[];
  t0: number;
  trafficStart: number;
  trafficEnd: number;
  records: FaultRecord[];
  /** One per fault: settles when its recovery is measured (or given up after 60 s). */
  recoveries: Promise<void>[];
  rng: Rng;
  log: (line: string) => void;
}

/** Plays the schedule; resolves once every fault is healed (recoveries may still be measuring). */
export async function playFaults(plan: readonly PlannedFault[], player: FaultPlayer): Promise<void> {
  const { world, clients, acks, t0, trafficStart, trafficEnd, records, recoveries, rng, log } = player;
  const busy = new Set<string>();
  const running: Promise<void>[] = [];
  const since = () => Date.now() - t0;
  for (const fault of plan) {
    const due = t0 + trafficStart + fault.at;
    if (due > Date.now()) await sleep(due - Date.now());
    if (since() >= trafficEnd) break;
    running.push(
      inject(fault).catch((error: unknown) => {
        log(`fault ${fault.kind} failed: ${String(error)}`);
      }),
    );
  }
  await Promise.all(running);

  async function inject(fault: PlannedFault): Promise<void> {
    // One fault at a time per target; restarting the Redis process may overlap a fault of its proxy.
    const lock =
      fault.kind === 'kill9' || fault.kind === 'pause'
        ? `node${fault.target}`
        : fault.kind === 'redis-restart'
          ? 'redis-server'
          : fault.kind.startsWith('redis-')
            ? 'redis'
            : fault.kind.startsWith('postgres-')
              ? 'postgres'
              : null;
    if (lock && busy.has(lock)) {
      log(`${since()} ms: ${fault.kind} skipped (${lock} is already faulted)`);
      return;
    }
    if (lock) busy.add(lock);
    const startedAt = since();
    let detail = '';
    let affected: readonly ChaosClient[] = [];
    try {
      const node = world.nodes[fault.target % world.nodes.length];
      switch (fault.kind) {
        case 'kill9':
          if (!node) return;
          await node.kill();
          await sleep(fault.durationMs);
          detail = `${node.name} killed, back on :${node.port}${await startAgain(node, log)}`;
          break;
        case 'pause':
          if (!node) return;
          node.pause();
          await sleep(fault.durationMs);
          node.resume();
          detail = `${node.name} SIGSTOP ${fault.durationMs} ms`;
          break;
        case 'socket-drop':
          affected = rng.sample(clients, fault.target);
          for (const client of affected) client.drop();
          detail = `clients ${affected.map((c) => c.history.client).join(', ')}`;
          break;
        case 'postgres-reset':
        case 'postgres-blackhole':
        case 'redis-reset':
        case 'redis-blackhole': {
          const proxy = fault.kind.startsWith('postgres') ? world.postgresProxy : world.redisProxy;
          if (!proxy) return;
          const open = proxy.connections;
          if (fault.kind.endsWith('reset')) proxy.reset(fault.durationMs);
          else proxy.blackhole(fault.durationMs);
          await sleep(fault.durationMs);
          detail = `${open} connections`;
          break;
        }
        case 'redis-restart':
          if (!world.redis) return;
          await world.redis.kill();
          await sleep(fault.durationMs);
          await world.redis.start(10_000);
          detail = 'redis-server killed and started empty';
          break;
      }
    } finally {
      if (lock) busy.delete(lock);
    }
    const healedAt = since();
    const record: FaultRecord = { ...fault, startedAt, healedAt, recoveredAt: null, detail };
    records.push(record);
    log(`${startedAt} ms: ${fault.kind} (${detail}) healed at ${healedAt} ms`);
    // Recovered: the clients concerned are connected again and a send made it through since the heal.
    recoveries.push(
      until(() => {
        if (fault.kind === 'socket-drop') return affected.every((c) => c.open);
        const open = clients.filter((c) => c.open).length;
        const lastAck = acks.at(-1)?.ackedAt ?? 0;
        return open >= clients.length * 0.95 && lastAck - t0 > healedAt;
      }, 60_000).then((recovered) => {
        if (recovered) record.recoveredAt = since();
      }),
    );
  }
}
