/**
 * The deployment a chaos run attacks. Embedded: one node on SQLite in a
 * temporary folder. Cluster: three nodes on a fresh PostgreSQL schema and a
 * redis-server of the run's own, each reached through a fault proxy, with a
 * round-robin balancer (another proxy) in front of the live nodes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../../src/store/postgres/test-support.js';
import { ChaosNode, ChaosRedis } from './processes.js';
import { FaultProxy } from './proxy.js';

export interface World {
  /** Where clients and REST calls go. */
  entryUrl: string;
  nodes: ChaosNode[];
  redis: ChaosRedis | null;
  postgresProxy: FaultProxy | null;
  redisProxy: FaultProxy | null;
  /** Ends every fault: paused nodes continue, dead ones start again, proxies pass everything. */
  heal(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  cluster: boolean;
  unsafeAckBeforeCommit: boolean;
  /** Extra node environment (limits raised for the run). */
  env: Record<string, string>;
}

const SECRET = 'chaos-secret-chaos-secret-chaos-secret-0123';

export async function openWorld(options: WorldOptions): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-chaos-'));
  const common: Record<string, string> = {
    CHAT_DATA_DIR: dataDir,
    CHAT_JWT_SECRET: SECRET,
    CHAT_HEARTBEAT_TIMEOUT_SECONDS: '10',
    CHAT_DRAIN_TIMEOUT_SECONDS: '3',
    ...options.env,
    ...(options.unsafeAckBeforeCommit ? { CHAT_CHAOS_UNSAFE_ACK_BEFORE_COMMIT: '1' } : {}),
  };
  if (!options.cluster) {
    const node = await ChaosNode.create('n0', common);
    await node.start();
    return {
      entryUrl: node.url,
      nodes: [node],
      redis: null,
      postgresProxy: null,
      redisProxy: null,
      heal: () => healNodes([node]),
      async close() {
        await node.stop(5_000);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  const unreachable = await unreachableReason(DATABASE_URL);
  if (unreachable) throw new Error(`cluster mode needs PostgreSQL (${DATABASE_URL}): ${unreachable}`);
  const schema = await createSchema(DATABASE_URL);
  const redis = await ChaosRedis.create();
  await redis.start(10_000);
  const database = new URL(DATABASE_URL);
  const postgresTarget = { host: database.hostname, port: Number(database.port || 5432) };
  const postgresProxy = await FaultProxy.start(() => [postgresTarget]);
  const redisProxy = await FaultProxy.start(() => [{ host: '127.0.0.1', port: redis.port }]);
  database.host = `127.0.0.1:${postgresProxy.port}`;
  const env = {
    ...common,
    DATABASE_URL: database.toString(),
    CHAT_DATABASE_SCHEMA: schema,
    CHAT_DATABASE_POOL_SIZE: '4',
    REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
    CHAT_REDIS_PREFIX: 'chaos:',
  };
  const nodes = await Promise.all([0, 1, 2].map((i) => ChaosNode.create(`n${i}`, env)));
  // The first node creates the tables; the others start together once it is up.
  await nodes[0]?.start();
  await Promise.all(nodes.slice(1).map((node) => node.start()));
  const balancer = await FaultProxy.start(() =>
    nodes.filter((n) => n.alive && !n.paused).map((n) => ({ host: '127.0.0.1', port: n.port })),
  );
  return {
    entryUrl: `http://127.0.0.1:${balancer.port}`,
    nodes,
    redis,
    postgresProxy,
    redisProxy,
    async heal() {
      postgresProxy.heal();
      redisProxy.heal();
      if (!redis.alive) await redis.start(10_000);
      await healNodes(nodes);
    },
    async close() {
      await Promise.all(nodes.map((node) => node.stop(5_000)));
      await balancer.close();
      await postgresProxy.close();
      await redisProxy.close();
      await redis.stop(2_000);
      await dropSchema(DATABASE_URL, schema).catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function healNodes(nodes: readonly ChaosNode[]): Promise<void> {
  for (const node of nodes) node.resume();
  await Promise.all(nodes.filter((n) => !n.alive).map((n) => n.start()));
}
