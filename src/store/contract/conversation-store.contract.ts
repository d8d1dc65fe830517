/** The ConversationStore contract: direct chats, groups and membership windows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createGroup,
  createUsers,
  id,
  messageDraft,
  nextTime,
  type OpenStorage,
  systemDraft,
  useStorage,
} from './harness.js';
import { describeMembershipWindows } from './membership.contract.js';

export function describeConversationStore(name: string, open: OpenStorage): void {
  describe(`ConversationStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('creates one direct conversation per unordered pair', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const createdAt = nextTime();
      const first = await storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, createdAt);
      assert.equal(first.created, true);
      const c = first.conversation;
      assert.equal(c.type, 'direct');
      assert.equal(c.name, null);
      assert.equal(c.lastSeq, 0);
      assert.equal(c.createdAt, createdAt);
      assert.equal(c.sendPolicy, 'all');
      assert.deepEqual(c.members.map((m) => m.userId).sort(), [a!.id, b!.id].sort());
      for (const m of c.members) {
        assert.equal(m.role, 'member');
        assert.equal(m.visibleFromSeq, 1);
        assert.equal(m.visibleToSeq, null);
        assert.deepEqual([m.sentSeq, m.deliveredSeq, m.readSeq], [0, 0, 0]);
      }
      const again = await storage().conversations.getOrCreateDirect(id('d'), b!.id, a!.id, nextTime());
      assert.equal(again.created, false);
      assert.equal(again.conversation.id, c.id);
      assert.deepEqual(await storage().conversations.byId(c.id), c);
    });

    it('creates the direct conversation once under 20 concurrent calls', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime())
            : storage().conversations.getOrCreateDirect(id('d'), b!.id, a!.id, nextTime()),
        ),
      );
      assert.equal(new Set(results.map((r) => r.conversation.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      const list = await storage().conversations.listForUser(a!.id);
      assert.equal(list.length, 1);
    });

    it('creates a group: creator admin, others members, the system message at seq 1', async () => {
      const [owner, b, c] = await createUsers(storage(), 3);
      const change = await createGroup(storage(), owner!.id, [b!.id, c!.id, b!.id, owner!.id], 'Friends');
      const group = change.conversation;
      assert.equal(group.type, 'group');
      assert.equal(group.name, 'Friends');
      assert.equal(group.createdBy, owner!.id);
      assert.equal(group.lastSeq, 1);
      assert.equal(group.members.length, 3);
      const roles = Object.fromEntries(group.members.map((m) => [m.userId, m.role]));
      assert.deepEqual(roles, { [owner!.id]: 'admin', [b!.id]: 'member', [c!.id]: 'member' });
      for (const m of group.members) {
        assert.equal(m.visibleFromSeq, 1);
        assert.equal(m.visibleToSeq, null);
      }
      // The creator's system message moves no watermark, the creator's included.
      for (const m of group.members) assert.deepEqual([m.sentSeq, m.deliveredSeq, m.readSeq], [0, 0, 0]);

      const message = change.message;
      assert.equal(message.seq, 1);
      assert.equal(message.type, 'system');
      assert.equal(message.conversationId, group.id);
      assert.equal(message.senderId, owner!.id);
      assert.match(message.clientMsgId, /^system:/);
      assert.deepEqual(message.system, { event: 'group_created', actorId: owner!.id, targetId: null });
      assert.deepEqual(await storage().messages.bySeq(group.id, 1), message);
      assert.deepEqual(await storage().conversations.byId(group.id), group);
    });

    it('answers null for a missing conversation or membership', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const { conversation } = await createGroup(storage(), a!.id, []);
      assert.equal(await storage().conversations.byId(id('missing')), null);
      assert.equal(await storage().conversations.membership(conversation.id, b!.id), null);
      const own = await storage().conversations.membership(conversation.id, a!.id);
      assert.equal(own?.role, 'admin');
      assert.equal(own?.conversationId, conversation.id);
    });

    it('updates name, avatar and send policy', async () => {
      const [a] = await createUsers(storage(), 1);
      const { conversation } = await createGroup(storage(), a!.id, []);
      const updated = await storage().conversations.update(conversation.id, {
        name: 'Renamed',
        sendPolicy: 'admins',
        avatarUrl: 'https://example.test/g.png',
      });
      assert.deepEqual(updated, {
        ...conversation,
        name: 'Renamed',
        sendPolicy: 'admins',
        avatarUrl: 'https://example.test/g.png',
      });
      const cleared = await storage().conversations.update(conversation.id, { avatarUrl: null });
      assert.equal(cleared?.avatarUrl, null);
      assert.equal(cleared?.name, 'Renamed');
      assert.equal(await storage().conversations.update(id('missing'), { name: 'x' }), null);
    });

    it('grants sending to current members only, with the policy, role and blocks that decide it', async () => {
      const [admin, member, outsider] = await createUsers(storage(), 3);
      const { conversation: group } = await createGroup(storage(), admin!.id, [member!.id]);
      await storage().conversations.update(group.id, { sendPolicy: 'admins' });
      const adminGrant = await storage().conversations.sendGrant(group.id, admin!.id);
      assert.equal(adminGrant?.type, 'group');
      assert.equal(adminGrant?.sendPolicy, 'admins');
      assert.equal(adminGrant?.role, 'admin');
      assert.equal(adminGrant?.blockedByPeer, false);
      assert.equal(adminGrant?.visibleFromSeq, 1);
      assert.equal((await storage().conversations.sendGrant(group.id, member!.id))?.role, 'member');
      assert.equal(await storage().conversations.sendGrant(group.id, outsider!.id), null);
      await storage().conversations.setRole(
        group.id,
        member!.id,
        'admin',
        systemDraft(admin!.id, 'role_changed', member!.id),
      );
      assert.equal((await storage().conversations.sendGrant(group.id, member!.id))?.role, 'admin');
      await storage().conversations.update(group.id, { sendPolicy: 'all' });
      assert.equal((await storage().conversations.sendGrant(group.id, member!.id))?.sendPolicy, 'all');
      assert.equal(await storage().conversations.sendGrant(id('missing'), admin!.id), null);
      await storage().conversations.removeMember(
        group.id,
        member!.id,
        systemDraft(admin!.id, 'member_removed', member!.id),
      );
      assert.equal(await storage().conversations.sendGrant(group.id, member!.id), null);

      const direct = (await storage().conversations.getOrCreateDirect(id('d'), admin!.id, outsider!.id, nextTime()))
        .conversation;
      await storage().users.block(outsider!.id, admin!.id);
      assert.equal((await storage().conversations.sendGrant(direct.id, admin!.id))?.blockedByPeer, true);
      // Blocking someone does not stop one's own sends.
      assert.equal((await storage().conversations.sendGrant(direct.id, outsider!.id))?.blockedByPeer, false);
      // A block in one direct chat says nothing about a group the two share.
      const shared = (await createGroup(storage(), outsider!.id, [admin!.id])).conversation;
      assert.equal((await storage().conversations.sendGrant(shared.id, admin!.id))?.blockedByPeer, false);
      await storage().users.unblock(outsider!.id, admin!.id);
      assert.equal((await storage().conversations.sendGrant(direct.id, admin!.id))?.blockedByPeer, false);
    });

    it('lists current conversations, newest activity first, with their newest message', async () => {
      const [me, b, c, d] = await createUsers(storage(), 4);
      const direct = (await storage().conversations.getOrCreateDirect(id('d'), me!.id, b!.id, nextTime())).conversation;
      const g1 = (await createGroup(storage(), me!.id, [c!.id])).conversation;
      const g2 = (await createGroup(storage(), c!.id, [me!.id, d!.id])).conversation;
      const left = (await createGroup(storage(), c!.id, [me!.id])).conversation;
      const empty = (await storage().conversations.getOrCreateDirect(id('d'), me!.id, d!.id, nextTime())).conversation;
      await storage().conversations.removeMember(left.id, me!.id, systemDraft(me!.id, 'member_left', me!.id));

      await storage().messages.append(messageDraft(g2.id, d!.id, 'g2 first'));
      await storage().messages.append(messageDraft(direct.id, b!.id, 'direct first'));
      const newest = await storage().messages.append(messageDraft(g1.id, c!.id, 'g1 newest'));
      await storage().messages.append(messageDraft(direct.id, me!.id, 'direct second'));
      const directLast = await storage().messages.append(messageDraft(direct.id, b!.id, 'direct third'));
      const g1Last = await storage().messages.append(messageDraft(g1.id, me!.id, 'g1 last'));

      const list = await storage().conversations.listForUser(me!.id);
      assert.deepEqual(
        list.map((e) => e.conversation.id),
        [g1.id, direct.id, g2.id, empty.id],
      );
      const byId = new Map(list.map((e) => [e.conversation.id, e]));
      assert.deepEqual(byId.get(g1.id)?.lastMessage, g1Last.message);
      assert.notDeepEqual(byId.get(g1.id)?.lastMessage, newest.message);
      assert.deepEqual(byId.get(direct.id)?.lastMessage, directLast.message);
      assert.equal(byId.get(direct.id)?.conversation.lastSeq, 3);
      assert.equal(byId.get(g2.id)?.lastMessage?.content, 'g2 first');
      assert.equal(byId.get(empty.id)?.lastMessage, null);
      // Only the others' messages count, also those before one's own last one.
      assert.equal(byId.get(g1.id)?.unreadCount, 1);
      assert.equal(byId.get(direct.id)?.unreadCount, 2);
      assert.equal(byId.get(g2.id)?.unreadCount, 1);
      assert.equal(byId.get(empty.id)?.unreadCount, 0);
      for (const entry of list) {
        assert.equal(entry.lastMessage?.seq ?? 0, entry.conversation.lastSeq);
        assert.deepEqual(entry.conversation, await storage().conversations.byId(entry.conversation.id));
      }
      assert.deepEqual(
        byId
          .get(g2.id)
          ?.conversation.members.map((m) => m.userId)
          .sort(),
        [c!.id, me!.id, d!.id].sort(),
      );
      assert.deepEqual(await storage().conversations.listForUser(id('nobody')), []);
    });

    it("counts unread the others' messages above the read watermark, not system or deleted ones", async () => {
      const [a, b, c] = await createUsers(storage(), 3);
      const { conversation } = await createGroup(storage(), a!.id, [b!.id]); // seq 1, system
      const cs = storage().conversations;
      const unread = async (userId: string) =>
        (await cs.listForUser(userId)).find((e) => e.conversation.id === conversation.id)?.unreadCount;
      assert.equal(await unread(b!.id), 0, 'the group_created system message does not count');
      assert.equal(await unread(a!.id), 0);

      for (let i = 0; i < 3; i++) await storage().messages.append(messageDraft(conversation.id, a!.id, `a ${i}`));
      await storage().messages.append(messageDraft(conversation.id, b!.id, 'b')); // seq 5
      assert.equal(await unread(b!.id), 3, "a's three, not b's own");
      assert.equal(await unread(a!.id), 1, "b's one, not a's own");

      // A deleted message and a system message do not count.
      const gone = await storage().messages.append(messageDraft(conversation.id, a!.id, 'oops')); // seq 6
      assert.equal(await unread(b!.id), 4);
      await storage().messages.softDelete(gone.message.id, nextTime());
      await cs.setRole(conversation.id, b!.id, 'admin', systemDraft(a!.id, 'role_changed', b!.id)); // seq 7
      assert.equal(await unread(b!.id), 3);

      // Reading up to a seq drops what is at or below it; to the last, to 0.
      await cs.advanceWatermarks(conversation.id, b!.id, { read: 3 }, nextTime());
      assert.equal(await unread(b!.id), 1);
      const lastSeq = (await cs.byId(conversation.id))?.lastSeq ?? 0;
      assert.equal(lastSeq, 7);
      await cs.advanceWatermarks(conversation.id, b!.id, { read: lastSeq }, nextTime());
      assert.equal(await unread(b!.id), 0);
      assert.equal(await unread(a!.id), 1, "b's read does not touch a's count");

      // A member added later does not count the messages before its window.
      await cs.addMember(conversation.id, c!.id, 'member', 10, systemDraft(a!.id, 'member_added', c!.id)); // seq 8
      assert.equal(await unread(c!.id), 0);
      await storage().messages.append(messageDraft(conversation.id, a!.id, 'welcome')); // seq 9
      await storage().messages.append(messageDraft(conversation.id, c!.id, 'thanks')); // seq 10
      assert.equal(await unread(c!.id), 1, "only a's welcome");
      assert.equal(await unread(b!.id), 2);
      assert.equal(await unread(a!.id), 2, "b's one and c's one");
    });

    it('moves watermarks forward only, clamped to lastSeq, read implying delivered implying sent', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const { conversation } = await storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
      for (let i = 0; i < 5; i++) await storage().messages.append(messageDraft(conversation.id, a!.id, `m${i}`));
      const cs = storage().conversations;

      const t1 = nextTime();
      const m1 = await cs.advanceWatermarks(conversation.id, b!.id, { delivered: 3 }, t1);
      assert.deepEqual([m1?.sentSeq, m1?.deliveredSeq, m1?.readSeq, m1?.deliveredAt, m1?.readAt], [3, 3, 0, t1, null]);
      const t2 = nextTime();
      const m2 = await cs.advanceWatermarks(conversation.id, b!.id, { read: 2, delivered: 1, sent: 1 }, t2);
      assert.deepEqual([m2?.sentSeq, m2?.deliveredSeq, m2?.readSeq, m2?.deliveredAt, m2?.readAt], [3, 3, 2, t1, t2]);
      const t3 = nextTime();
      const m3 = await cs.advanceWatermarks(conversation.id, b!.id, { read: 99 }, t3);
      assert.deepEqual([m3?.sentSeq, m3?.deliveredSeq, m3?.readSeq, m3?.deliveredAt, m3?.readAt], [5, 5, 5, t3, t3]);
      const m4 = await cs.advanceWatermarks(conversation.id, b!.id, { read: 1, delivered: 0 }, nextTime());
      assert.deepEqual(m4, m3);
      assert.deepEqual(await cs.membership(conversation.id, b!.id), m3);
      assert.equal(await cs.advanceWatermarks(conversation.id, id('nobody'), { read: 1 }, nextTime()), null);
      assert.equal(await cs.advanceWatermarks(id('missing'), b!.id, { read: 1 }, nextTime()), null);
    });

    describeMembershipWindows(storage);
  });
}
