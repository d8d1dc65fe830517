/**
 * Pins and archive on two nodes sharing PostgreSQL and Redis: a user's state
 * change made on node A reaches its tab on node B (`conversation:state`), a
 * message sent through node B unarchives the chat for a user whose tab is on
 * node A, and a message pin by the admin on A reaches a member on B.
 * PostgreSQL or Redis unreachable: skipped, except under CI where it fails.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DATABASE_URL, unreachableReason } from '../../store/postgres/test-support.js';
import type { TestServer } from '../../testing/server.js';
import { redisUnreachable, requireServices } from '../../testing/services.js';
import { useTwoNodes } from '../../testing/two-nodes.js';
import { waitFor } from '../../testing/ws.js';

const reasons = { postgres: await unreachableReason(DATABASE_URL), redis: await redisUnreachable() };

requireServices('pins on two nodes', reasons, () => {
  const nodes = useTwoNodes();
  const { connect } = nodes;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    ({ a, b } = await nodes.started());
  });

  describe('pins across nodes', () => {
    it('syncs the state to the other node, and a message on one node unarchives for a tab on the other', async () => {
      const [me, peer] = await Promise.all([a.api.user('xme'), a.api.user('xpeer')]);
      const chat = await a.api.direct(me, peer);
      const tabOnB = await connect(b, me, 'tab-b');
      const tabOnA = await connect(a, me, 'tab-a');
      const pinned = await a.api.request('PUT', `/api/v1/users/me/pinned-chats/${chat}`, { token: me.token });
      assert.equal(pinned.status, 200);
      await tabOnB.next('conversation:state', (f) => f.conversationId === chat && f.pinned);

      const archived = await b.api.request('PUT', `/api/v1/users/me/archived-chats/${chat}`, { token: me.token });
      assert.equal(archived.body.state.archived, true);
      await tabOnA.next('conversation:state', (f) => f.conversationId === chat && f.archived);

      assert.equal((await b.api.send(peer, chat, 'wake up')).status, 201);
      // Pinned, archived (which unpinned it), then back: neither.
      await tabOnA.next('conversation:state', (f) => f.conversationId === chat && !f.archived && !f.pinned);
      assert.deepEqual(
        tabOnA.all('conversation:state').map((f) => [f.pinned, f.archived]),
        [
          [true, false],
          [false, true],
          [false, false],
        ],
      );
      const list = await a.api.request('GET', `/api/v1/users/${me.user.id}/conversations`, { token: me.token });
      assert.deepEqual(
        list.body.conversations.map((c: { id: string; archived: boolean }) => [c.id, c.archived]),
        [[chat, false]],
      );
    });

    it("sends a group's pins to a member on the other node", async () => {
      const [admin, member] = await Promise.all([a.api.user('xadm'), a.api.user('xmem')]);
      const group = await a.api.group(admin, [member], 'cross');
      const sent = await a.api.send(member, group, 'pin this');
      const memberOnB = await connect(b, member, 'member-b');
      const res = await a.api.request('PUT', `/api/v1/conversations/${group}/pinned-messages/${sent.body.message.id}`, {
        token: admin.token,
      });
      assert.equal(res.status, 200);
      const frame = await memberOnB.next('conversation:pins', (f) => f.conversationId === group);
      assert.deepEqual(
        frame.pins.map((p) => p.message.id),
        [sent.body.message.id],
      );
      await waitFor('the pin announced on B', () =>
        memberOnB.messages(group).some((m) => m.system?.event === 'message_pinned') ? true : undefined,
      );
    });
  });
});
