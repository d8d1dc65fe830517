/**
 * The presence rules on Redis, two trackers (two nodes, each with its own
 * connections) sharing one Redis under a key prefix of this run; plus what only
 * the shared tracker does: the routing registry, re-registration after Redis
 * lost its keys, and the node registry.
 * Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { closeRedis, openRedis, RedisSubscriber } from '../redis/connection.js';
import { dropPrefix, REDIS_URL, redisUnreachable, requireServices, testPrefix } from '../testing/services.js';
import { waitFor } from '../testing/ws.js';
import { describePresenceTracker } from './contract.js';
import { RedisNodeRegistry } from './nodes.js';
import type { PresenceTimings } from './presence.js';
import { RedisPresence } from './redis.js';

const quiet = () => {};

interface TestNode {
  presence: RedisPresence;
  redis: Redis;
  subscriber: RedisSubscriber;
}

async function openNode(
  prefix: string,
  nodeId: string,
  timings: PresenceTimings,
  onRoutesLost?: () => void,
): Promise<TestNode> {
  const redis = await openRedis(REDIS_URL, `${prefix}${nodeId}:commands`, quiet);
  const subscriber = await RedisSubscriber.open(REDIS_URL, `${prefix}${nodeId}:subscriber`, quiet);
  const presence = await RedisPresence.open({
    redis,
    subscriber,
    prefix,
    nodeId,
    timings,
    sweepEveryMs: 50,
    onError: quiet,
    ...(onRoutesLost ? { onRoutesLost } : {}),
  });
  return { presence, redis, subscriber };
}

async function closeNode(node: TestNode): Promise<void> {
  await node.presence.close();
  await node.subscriber.close();
  await closeRedis(node.redis);
}

/** Nodes opened by name under one prefix, all closed and the keys dropped at the end. */
function cluster(timings: PresenceTimings) {
  const prefix = testPrefix();
  const nodes = new Map<string, Promise<TestNode>>();
  const node = (id: string) => {
    let opened = nodes.get(id);
    if (!opened) {
      opened = openNode(prefix, id, timings);
      nodes.set(id, opened);
    }
    return opened;
  };
  return {
    prefix,
    node,
    async cleanup() {
      await Promise.all([...nodes.values()].map(async (n) => closeNode(await n)));
      await dropPrefix(prefix);
    },
  };
}

requireServices('Redis presence', { redis: await redisUnreachable() }, () => {
  describePresenceTracker('redis, two nodes', async (timings) => {
    const nodes = cluster(timings);
    return {
      multiNode: true,
      node: async (id) => (await nodes.node(id)).presence,
      async kill(id) {
        const node = await nodes.node(id);
        node.redis.disconnect();
        node.subscriber.redis.disconnect();
        await node.presence.close();
      },
      cleanup: () => nodes.cleanup(),
    };
  });

  describe('RedisPresence', () => {
    const timings = { offlineAfterMs: 60_000, idleAfterMs: 60_000 };

    it('knows which nodes hold a user’s connections (the routing registry)', async () => {
      const nodes = cluster(timings);
      try {
        const [a, b] = [(await nodes.node('a')).presence, (await nodes.node('b')).presence];
        await a.connect('u1', 'c1');
        await b.connect('u1', 'c2');
        await b.connect('u2', 'c3');
        assert.deepEqual((await a.nodesOf(['u1'])).sort(), ['a', 'b']);
        assert.deepEqual((await a.nodesOf(['u2', 'u3'])).sort(), ['b']);
        a.disconnect('u1', 'c1', true);
        assert.deepEqual(await b.nodesOf(['u1']), ['b']);
        assert.deepEqual(await b.nodesOf([]), []);
      } finally {
        await nodes.cleanup();
      }
    });

    it('registers its connections again when Redis lost them (a restart without persistence)', async () => {
      const nodes = cluster(timings);
      try {
        const a = (await nodes.node('a')).presence;
        await a.connect('u1', 'c1');
        await dropPrefix(nodes.prefix);
        assert.equal((await a.get('u1')).status, 'offline');
        assert.deepEqual(await a.nodesOf(['u1']), []);
        await a.restore();
        assert.equal((await a.get('u1')).status, 'online');
        assert.deepEqual(await a.nodesOf(['u1']), ['a']);
      } finally {
        await nodes.cleanup();
      }
    });
  });

  describe('RedisPresence renewals', () => {
    it('says so when a periodic renewal had to register connections again, and only then', async () => {
      const prefix = testPrefix();
      let lost = 0;
      // Renewals every 400 ms.
      const node = await openNode(prefix, 'a', { offlineAfterMs: 1_200, idleAfterMs: 60_000 }, () => lost++);
      try {
        await node.presence.connect('u1', 'c1');
        await new Promise((resolve) => setTimeout(resolve, 900));
        assert.equal(lost, 0, 'renewals that found everything in place report nothing');
        await dropPrefix(prefix);
        await waitFor('the lost routes reported', () => (lost > 0 ? true : undefined), 3_000);
        assert.equal(lost, 1, 'once per loss');
        assert.deepEqual(await node.presence.nodesOf(['u1']), ['a'], 'and registered again');
      } finally {
        await closeNode(node);
        await dropPrefix(prefix);
      }
    });
  });

  describe('RedisNodeRegistry', () => {
    it('lists live nodes; a node that stops renewing drops out after the TTL, one that closes at once', async () => {
      const prefix = testPrefix();
      const redis = await openRedis(REDIS_URL, `${prefix}registry`, quiet);
      try {
        const startedAt = new Date().toISOString();
        const a = await RedisNodeRegistry.register(
          redis,
          prefix,
          { id: 'a', address: 'http://a', startedAt },
          quiet,
          300,
        );
        const b = await RedisNodeRegistry.register(
          redis,
          prefix,
          { id: 'b', address: 'http://b', startedAt },
          quiet,
          300,
        );
        const c = await RedisNodeRegistry.register(
          redis,
          prefix,
          { id: 'c', address: 'http://c', startedAt },
          quiet,
          300,
        );
        const listed = await a.list();
        assert.deepEqual(
          listed.map((n) => [n.id, n.address, n.startedAt]),
          [
            ['a', 'http://a', startedAt],
            ['b', 'http://b', startedAt],
            ['c', 'http://c', startedAt],
          ],
        );
        assert.ok(listed.every((n) => Date.parse(n.heartbeatAt) >= Date.parse(startedAt)));
        await c.close();
        assert.deepEqual(
          (await a.list()).map((n) => n.id),
          ['a', 'b'],
          'a closed node leaves at once',
        );
        b.stop();
        await waitFor('b to expire', async () => ((await a.list()).length === 1 ? true : undefined), 3_000);
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.deepEqual(
          (await a.list()).map((n) => n.id),
          ['a'],
          'a live node keeps renewing',
        );
        await a.close();
      } finally {
        await closeRedis(redis);
        await dropPrefix(prefix);
      }
    });
  });
});
