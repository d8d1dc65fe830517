/**
 * The bus contract on Redis pub/sub: three nodes (three buses with their own
 * connections) under a key prefix of this run. The routing registry is a map
 * here; the real one (presence) is checked by the presence and cluster tests.
 * Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeRedis, openRedis, RedisSubscriber } from '../redis/connection.js';
import {
  dropPrefix,
  killClients,
  REDIS_URL,
  redisUnreachable,
  requireServices,
  testPrefix,
} from '../testing/services.js';
import { waitFor } from '../testing/ws.js';
import type { Bus } from './bus.js';
import { describeBus } from './contract.js';
import { RedisBus, type RouteLookup } from './redis.js';

const quiet = () => {};

async function openNode(prefix: string, nodeId: string, routes: RouteLookup, beforeGap?: () => Promise<void>) {
  const redis = await openRedis(REDIS_URL, `${prefix}${nodeId}:commands`, quiet);
  const subscriber = await RedisSubscriber.open(REDIS_URL, `${prefix}${nodeId}:subscriber`, quiet);
  const bus = await RedisBus.open({
    redis,
    subscriber,
    prefix,
    nodeId,
    onError: quiet,
    routes,
    ...(beforeGap ? { beforeGap } : {}),
  });
  const close = async () => {
    await bus.close();
    await subscriber.close();
    await closeRedis(redis);
  };
  return { bus, close };
}

requireServices('Redis bus', { redis: await redisUnreachable() }, () => {
  describeBus('redis', async () => {
    const prefix = testPrefix();
    const placed = new Map<string, Set<string>>();
    const routes: RouteLookup = {
      nodesOf: async (userIds) => [...new Set(userIds.flatMap((id) => [...(placed.get(id) ?? [])]))],
    };
    const nodes: Array<{ bus: Bus; close: () => Promise<void> }> = [];
    return {
      multiNode: true,
      async open(nodeId) {
        const node = await openNode(prefix, nodeId, routes);
        nodes.push(node);
        return node.bus;
      },
      place(userId, nodeId) {
        placed.set(userId, new Set([...(placed.get(userId) ?? []), nodeId]));
      },
      async dropSubscriber(nodeId) {
        assert.equal(await killClients(`${prefix}${nodeId}:subscriber`), 1);
      },
      async cleanup() {
        await Promise.all(nodes.map((node) => node.close()));
        await dropPrefix(prefix);
      },
    };
  });

  describe('RedisBus', () => {
    it('handles a gap again when its preparation failed (connections not registered again yet)', async () => {
      const prefix = testPrefix();
      let preparations = 0;
      const node = await openNode(prefix, 'a', { nodesOf: async () => [] }, async () => {
        preparations++;
        if (preparations === 1) throw new Error('Redis not answering yet');
      });
      try {
        let gaps = 0;
        node.bus.onGap(() => gaps++);
        assert.equal(await killClients(`${prefix}a:subscriber`), 1);
        await waitFor('the gap handled again after the failed preparation', () => (gaps >= 2 ? true : undefined));
        assert.equal(preparations, 2, 'prepared again, once');
        await new Promise((resolve) => setTimeout(resolve, 1_300));
        assert.equal(gaps, 2, 'no more retries once prepared');
      } finally {
        await node.close();
        await dropPrefix(prefix);
      }
    });

    it('tells every other node of a gap when a publish failed', async () => {
      const prefix = testPrefix();
      let failures = 1;
      const routes: RouteLookup = {
        nodesOf: async () => {
          if (failures-- > 0) throw new Error('lookup failed');
          return ['b'];
        },
      };
      const [a, b] = [await openNode(prefix, 'a', routes), await openNode(prefix, 'b', routes)];
      try {
        let gapsOnA = 0;
        let gapsOnB = 0;
        a.bus.onGap(() => gapsOnA++);
        b.bus.onGap(() => gapsOnB++);
        a.bus.publish({
          type: 'receipt',
          kind: 'read',
          conversationId: 'c',
          userId: 'u',
          seq: 1,
          notifyUserIds: ['v'],
        });
        await waitFor('a gap on b', () => (gapsOnB > 0 ? true : undefined));
        assert.equal(gapsOnA, 0, 'the publisher itself missed nothing');
      } finally {
        await Promise.all([a.close(), b.close()]);
        await dropPrefix(prefix);
      }
    });
  });
});
