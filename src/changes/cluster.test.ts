/**
 * Reactions and conversation:read across two nodes sharing PostgreSQL and
 * Redis: a reaction made on node A reaches members connected to node B, in
 * change order; a read on one node clears the badge of the reader's device
 * on the other; a change replay served by B covers what was made on A.
 * PostgreSQL or Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DATABASE_URL, unreachableReason } from '../store/postgres/test-support.js';
import type { TestServer } from '../testing/server.js';
import { redisUnreachable, requireServices } from '../testing/services.js';
import { useTwoNodes } from '../testing/two-nodes.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('reactions on two nodes', reasons, () => {
  const nodes = useTwoNodes({ nodeIds: ['ra', 'rb'] });
  const { connect } = nodes;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    ({ a, b } = await nodes.started());
  });

  describe('two nodes', () => {
    it('a reaction made through A reaches members on B in change order; a replay on B covers it', async () => {
      const [alice, bob] = await Promise.all([a.api.user('xr_a'), a.api.user('xr_b')]);
      assert.ok(alice && bob);
      const group = await a.api.group(alice, [bob]);
      const aliceOnA = await connect(a, alice);
      const bobOnB = await connect(b, bob);
      const { message } = await aliceOnA.sendMessage(group, 'across nodes');
      const emojis = ['👍', '❤️', '😂', '🎉', '🙏'];
      for (const [i, emoji] of emojis.entries()) {
        const user = i % 2 === 0 ? alice : bob;
        const node = i % 2 === 0 ? a : b;
        const res = await node.api.request('PUT', `/api/v1/messages/${message.id}/reaction`, {
          token: user.token,
          body: { emoji },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      await bobOnB.until((frames) => frames.filter((f) => f.type === 'message:reaction').length === emojis.length);
      assert.deepEqual(
        bobOnB.all('message:reaction').map((f) => f.changeSeq),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(bobOnB.all('message:reaction').at(-1)?.reactions, [
        { emoji: '🎉', count: 1 },
        { emoji: '🙏', count: 1 },
      ]);

      const bobLaptop = await connect(b, bob, 'laptop');
      bobLaptop.send({ type: 'sync', changes: { [group]: 2 }, ref: 'x' });
      const done = await bobLaptop.next('sync:done', (f) => f.ref === 'x');
      assert.equal(done.changes?.[group], 5);
      assert.deepEqual(
        bobLaptop.all('message:reaction').map((f) => f.changeSeq),
        [3, 4, 5],
      );
    });

    it('a read on node A clears the badge of the same user on node B', async () => {
      const [alice, bob] = await Promise.all([a.api.user('xc_a'), a.api.user('xc_b')]);
      assert.ok(alice && bob);
      const direct = await a.api.direct(alice, bob);
      const bobOnA = await connect(a, bob);
      await bobOnA.sendMessage(direct, 'one');
      const sent = await bobOnA.sendMessage(direct, 'two');
      const phoneOnA = await connect(a, alice, 'phone');
      const laptopOnB = await connect(b, alice, 'laptop');
      phoneOnA.send({ type: 'message:read', conversationId: direct, seq: sent.message.seq });
      const read = await laptopOnB.next('conversation:read');
      assert.deepEqual(read, { type: 'conversation:read', conversationId: direct, seq: sent.message.seq });
      await phoneOnA.ping();
      assert.equal(phoneOnA.all('conversation:read').length, 0);
    });
  });
});
