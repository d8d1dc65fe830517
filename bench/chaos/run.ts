/**
 * One chaos run: a deployment (world.ts), a seeded population of SDK clients
 * (population.ts, clients.ts) sending at a steady rate while the fault
 * schedule (faults.ts) is played; then every fault stops, the clients finish
 * their sends, reconnect and read everything, and the checker (checker.ts)
 * compares their histories with what is stored.
 */
import { type CheckResult, check } from './checker.js';
import { type AckTiming, ChaosClient } from './clients.js';
import { type FaultRecord, planFaults } from './faults.js';
import { applyLeaves } from './history.js';
import { playFaults } from './player.js';
import { populate } from './population.js';
import { RestClient } from './rest.js';
import { Rng } from './rng.js';
import { churn, sendTraffic } from './traffic.js';
import { sleep, until } from './wait.js';
import { openWorld } from './world.js';

export interface ChaosOptions {
  cluster: boolean;
  seed: number;
  durationMs: number;
  clients: number;
  conversations: number;
  /** Sends per second over all clients. */
  ratePerSecond: number;
  killEveryMs: number;
  /** A member leaves a group this often (0: never). */
  churnEveryMs: number;
  /** A send not acknowledged within this is recorded as timed out (the SDK keeps trying). */
  sendTimeoutMs: number;
  /** How long the quiet phase may take to drain the outboxes, and then to read everything. */
  settleTimeoutMs: number;
  /** The negative control: nodes acknowledge sends before they are committed. */
  unsafeAckBeforeCommit: boolean;
  log: (line: string) => void;
}

export function defaultOptions(cluster: boolean): ChaosOptions {
  return {
    cluster,
    seed: 1,
    durationMs: 180_000,
    clients: 200,
    conversations: 60,
    ratePerSecond: 40,
    killEveryMs: cluster ? 15_000 : 30_000,
    churnEveryMs: 20_000,
    sendTimeoutMs: 10_000,
    settleTimeoutMs: 60_000,
    unsafeAckBeforeCommit: false,
    log: (line) => console.log(line),
  };
}

export interface ChaosOutcome {
  options: Omit<ChaosOptions, 'log'>;
  result: CheckResult;
  faults: FaultRecord[];
  acks: AckTiming[];
  /** ms after the run start. */
  phases: { trafficStart: number; trafficEnd: number; settled: number; resumed: number; finished: number };
  /** Sends still unacknowledged when the settle phase gave up. */
  pendingAtEnd: number;
  /** Date.now() at the run start: fault times and phases are relative to it. */
  startedAtEpoch: number;
}

/** Limits raised so the run's own traffic is never throttled (abuse limits are tested elsewhere). */
const RUN_ENV = {
  CHAT_LOGIN_LIMIT_PER_IP: '100000',
  CHAT_MAX_CONNECTIONS_PER_IP: '100000',
  CHAT_MESSAGE_RATE_PER_SECOND: '1000',
  CHAT_MESSAGE_RATE_BURST: '1000',
  CHAT_GROUP_CREATE_PER_HOUR: '100000',
};

export async function runChaos(options: ChaosOptions): Promise<ChaosOutcome> {
  const log = options.log;
  const t0 = Date.now();
  const since = () => Date.now() - t0;
  log(
    `chaos: ${options.cluster ? 'cluster (3 nodes, PostgreSQL + Redis)' : 'embedded (1 node, SQLite)'}, seed ${options.seed}, ` +
      `${options.clients} clients, ${options.conversations} conversations, ${options.durationMs / 1000} s` +
      (options.unsafeAckBeforeCommit ? ', NEGATIVE CONTROL: ack before commit' : ''),
  );
  const world = await openWorld({
    cluster: options.cluster,
    unsafeAckBeforeCommit: options.unsafeAckBeforeCommit,
    env: RUN_ENV,
  });
  const clients: ChaosClient[] = [];
  try {
    const rest = new RestClient(world.entryUrl);
    const population = await populate(rest, new Rng(options.seed), options.clients, options.conversations);
    const acks: AckTiming[] = [];
    for (const member of population.members) {
      clients.push(
        new ChaosClient({
          index: member.index,
          userId: member.userId,
          token: member.token,
          baseUrl: world.entryUrl,
          conversations: population.conversations
            .filter((c) => c.members.some((m) => m.userId === member.userId))
            .map((c) => c.id),
          t0,
          sendTimeoutMs: options.sendTimeoutMs,
          acks,
        }),
      );
    }
    await Promise.all(clients.map((c) => c.connect()));
    log(`${since()} ms: ${clients.length} clients connected`);

    const trafficStart = since();
    const trafficEnd = trafficStart + options.durationMs;
    const plan = planFaults(new Rng(options.seed + 1), {
      cluster: options.cluster,
      durationMs: options.durationMs,
      killEveryMs: options.killEveryMs,
      nodes: world.nodes.length,
      clients: clients.length,
    });
    const faults: FaultRecord[] = [];
    const recoveries: Promise<void>[] = [];
    const playing = playFaults(plan, {
      world,
      clients,
      acks,
      t0,
      trafficStart,
      trafficEnd,
      records: faults,
      recoveries,
      rng: new Rng(options.seed + 2),
      log,
    });
    const churning =
      options.churnEveryMs > 0
        ? churn(rest, population, clients, new Rng(options.seed + 4), options.churnEveryMs, t0 + trafficEnd, log, since)
        : Promise.resolve();
    await sendTraffic(clients, new Rng(options.seed + 3), options.ratePerSecond, t0 + trafficEnd);
    await playing;
    await churning;
    await world.heal();
    log(`${since()} ms: traffic and faults stopped; draining outboxes`);

    await until(() => clients.every((c) => c.pending === 0), options.settleTimeoutMs);
    const pendingAtEnd = clients.reduce((sum, c) => sum + c.pending, 0);
    await Promise.race([Promise.all(recoveries), sleep(5_000)]);
    const settled = since();
    // What is stored is final now (no sends, no leaves): read it, then let every client reconnect and read
    // until it has all of each conversation, up to its leave for a conversation it left.
    for (const truth of population.conversations) {
      const reader = population.members.find((m) => m.userId === truth.members[0]?.userId);
      if (!reader) throw new Error(`no reader for ${truth.id}`);
      truth.stored = await rest.allMessages(truth.id, reader.token);
      applyLeaves(truth);
    }
    for (const client of clients) {
      client.markResume();
      client.drop();
    }
    await until(() => clients.every((c) => c.open), options.settleTimeoutMs);
    const targets = clients.map((c) =>
      population.conversations.flatMap((truth) => {
        const window = truth.members.find((m) => m.userId === c.history.userId);
        return window ? [[truth.id, window.toSeq ?? truth.stored.at(-1)?.seq ?? 0] as const] : [];
      }),
    );
    await until(
      () =>
        clients.every((c, i) => {
          const cursors = c.cursors();
          return (targets[i] ?? []).every(([id, seq]) => (cursors[id] ?? 0) >= seq);
        }),
      options.settleTimeoutMs,
    );
    const resumed = since();
    log(`${resumed} ms: clients resumed; checking ${population.conversations.length} conversations`);
    for (const [i, c] of clients.entries()) {
      const cursors = c.cursors();
      const behind = (targets[i] ?? []).filter(([id, seq]) => (cursors[id] ?? 0) < seq);
      if (behind.length === 0 && c.open) continue;
      const links = c.history.events.filter(
        (e) => e.kind === 'connected' || e.kind === 'disconnected' || e.kind === 'drop',
      );
      log(
        `client ${i} (${c.chat.state}) behind in ${behind.map(([id, seq]) => `${id.slice(0, 8)} ${cursors[id] ?? 0}/${seq}`).join(', ')}; ` +
          `last links: ${links
            .slice(-4)
            .map((e) => `${e.kind}${e.kind === 'disconnected' ? ` ${e.code}` : ''}@${e.at}`)
            .join(' ')}`,
      );
    }
    for (const client of clients) client.close();

    const result = check(
      clients.map((c) => c.history),
      population.conversations,
    );
    const { log: _log, ...rest_ } = options;
    return {
      options: rest_,
      result,
      faults,
      acks,
      phases: { trafficStart, trafficEnd, settled, resumed, finished: since() },
      pendingAtEnd,
      startedAtEpoch: t0,
    };
  } finally {
    for (const client of clients) client.close();
    await world.close();
  }
}
