/**
 * Send grants asked for in the same turn share one statement (tick-batch.ts,
 * grant-batch.ts): each caller still gets exactly its own answer, the same as
 * when asked alone, whatever the mix of grants, refusals and unknown ids.
 * Unreachable PostgreSQL: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requireServices } from '../../testing/services.js';
import { createGroup, createUsers, id, nextTime } from '../contract/harness.js';
import type { SendGrant } from '../stores.js';
import type { PostgresStorage } from './index.js';
import { createSchema, DATABASE_URL, dropSchema, openIn, unreachableReason } from './test-support.js';

requireServices('postgres reads batched per turn', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describe('postgres reads batched per turn', () => {
    let schema: string;
    let storage: PostgresStorage;
    before(async () => {
      schema = await createSchema(DATABASE_URL);
      storage = await openIn(DATABASE_URL, schema);
    });
    after(async () => {
      await storage?.close();
      if (schema) await dropSchema(DATABASE_URL, schema);
    });

    it('answers concurrent calls each with its own grant, as a lone call would', async () => {
      const [admin, member, outsider] = await createUsers(storage, 3);
      assert.ok(admin && member && outsider);
      const { conversation: group } = await createGroup(storage, admin.id, [member.id]);
      await storage.conversations.update(group.id, { sendPolicy: 'admins' });
      const { conversation: direct } = await storage.conversations.getOrCreateDirect(
        id('d'),
        admin.id,
        outsider.id,
        nextTime(),
      );
      await storage.users.block(outsider.id, admin.id);
      const asks: [string, string][] = [
        [group.id, admin.id],
        [group.id, member.id],
        [group.id, outsider.id],
        [id('missing'), admin.id],
        [direct.id, admin.id],
        [direct.id, outsider.id],
        [direct.id, member.id],
      ];
      const alone: (SendGrant | null)[] = [];
      for (const [conversationId, userId] of asks)
        alone.push(await storage.conversations.sendGrant(conversationId, userId));
      // Many at once, shuffled and repeated: they share statements.
      const many = Array.from({ length: 140 }, (_, i) => asks[(i * 5) % asks.length] as [string, string]);
      const together = await Promise.all(many.map(([c, u]) => storage.conversations.sendGrant(c, u)));
      for (const [i, [conversationId, userId]] of many.entries()) {
        const expected = alone[asks.findIndex(([c, u]) => c === conversationId && u === userId)];
        assert.deepEqual(together[i], expected, `call ${i}: ${conversationId} / ${userId}`);
      }
      assert.equal(alone[0]?.role, 'admin');
      assert.equal(alone[1]?.role, 'member');
      assert.equal(alone[1]?.sendPolicy, 'admins');
      assert.equal(alone[2], null);
      assert.equal(alone[3], null);
      assert.equal(alone[4]?.blockedByPeer, true);
      assert.equal(alone[5]?.blockedByPeer, false);
      assert.equal(alone[6], null);
    });
  });
});
