/**
 * A broadcast channel across two nodes sharing PostgreSQL and Redis: readers
 * on either node receive an admin's post live (one publish to every node, each
 * handing it to its own followers), in order, and a reader joining on the other
 * node starts following at once. PostgreSQL or Redis unreachable: skipped,
 * except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DATABASE_URL, unreachableReason } from '../store/postgres/test-support.js';
import type { TestServer } from '../testing/server.js';
import { redisUnreachable, requireServices } from '../testing/services.js';
import { useTwoNodes } from '../testing/two-nodes.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('channels on two nodes', reasons, () => {
  const nodes = useTwoNodes();
  const { connect } = nodes;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    ({ a, b } = await nodes.started());
  });

  describe('a channel on two nodes', () => {
    it('delivers an admin post to readers on both nodes, in order', async () => {
      const [admin, r1, r2, late] = await Promise.all(
        ['chc_admin', 'chc_r1', 'chc_r2', 'chc_late'].map((name) => a.api.user(name)),
      );
      if (!admin || !r1 || !r2 || !late) throw new Error('users');
      const created = await a.api.request('POST', '/api/v1/channels', { token: admin.token, body: { name: 'Both' } });
      assert.equal(created.status, 201);
      const channelId: string = created.body.conversation.id;
      for (const reader of [r1, r2]) {
        assert.equal(
          (await b.api.request('POST', `/api/v1/channels/${channelId}/join`, { token: reader.token })).status,
          200,
        );
      }
      const [adminWs, onA, onB] = await Promise.all([connect(a, admin), connect(a, r1), connect(b, r2)]);
      const lateWs = await connect(b, late);
      // Joined over node A while connected to node B: node B starts following for it.
      await a.api.request('POST', `/api/v1/channels/${channelId}/join`, { token: late.token });
      await lateWs.next('conversation:updated', (f) => f.conversation.id === channelId);
      for (let i = 0; i < 5; i++) await adminWs.sendMessage(channelId, `post ${i}`);
      for (const ws of [onA, onB, lateWs]) {
        await ws.waitForMessages(channelId, 5);
        assert.deepEqual(ws.seqs(channelId), [2, 3, 4, 5, 6]);
      }
      // A reader's post is refused on either node.
      const refused = await b.api.send(r2, channelId, 'me too');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'forbidden');
    });
  });
});
