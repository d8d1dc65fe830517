/**
 * The ChannelStore contract (src/store/channel-store.ts), for every engine:
 * channels are conversations of type `channel` whose readers cost one
 * membership row each and nothing per message (no recipients read at append,
 * no device cursor, no outbox head), and whose reads feed reader counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewChannel } from '../channel-store.js';
import {
  createUsers,
  id,
  messageDraft,
  nextTime,
  type OpenStorage,
  rejectsWith,
  systemDraft,
  useStorage,
} from './harness.js';

function newChannel(createdBy: string, overrides: Partial<NewChannel> = {}): NewChannel {
  const createdAt = nextTime();
  return {
    id: id('ch'),
    name: `Channel ${id('n')}`,
    avatarUrl: null,
    public: true,
    createdBy,
    createdAt,
    memberIds: [],
    system: systemDraft(createdBy, 'channel_created', null, createdAt),
    ...overrides,
  };
}

export function describeChannelStore(name: string, open: OpenStorage): void {
  describe(`ChannelStore (${name})`, () => {
    const storage = useStorage(open);

    async function channelWith(readers: number, options: Partial<NewChannel> = {}) {
      const [admin, ...others] = await createUsers(storage(), readers + 1);
      if (!admin) throw new Error('no admin');
      const change = await storage().channels.create(
        newChannel(admin.id, { memberIds: others.map((u) => u.id), ...options }),
        1000,
      );
      return { admin, readers: others, conversation: change.conversation, message: change.message };
    }

    it('creates a channel: its creator is the only admin listed, seq 1 announces it', async () => {
      const { admin, readers, conversation, message } = await channelWith(3);
      assert.equal(conversation.type, 'channel');
      assert.equal(conversation.sendPolicy, 'admins');
      assert.deepEqual(
        conversation.members.map((m) => [m.userId, m.role]),
        [[admin.id, 'admin']],
      );
      assert.deepEqual(conversation.channel, { public: true, memberCount: 4 });
      assert.equal(message.seq, 1);
      assert.equal(message.system?.event, 'channel_created');
      const reader = await storage().conversations.membership(conversation.id, readers[0]?.id ?? '');
      assert.equal(reader?.role, 'member');
      assert.equal(reader?.visibleFromSeq, 1, 'members see the whole history');
      assert.deepEqual(await storage().channels.info(conversation.id), { public: true, memberCount: 4 });
      assert.equal(await storage().channels.info(id('nope')), null);
    });

    it("answers a channel's admins as the recipients of an append, not its readers", async () => {
      const { admin, conversation } = await channelWith(5);
      const appended = await storage().messages.append(messageDraft(conversation.id, admin.id, 'hello'));
      assert.equal(appended.message.seq, 2);
      assert.deepEqual(appended.recipientIds, [admin.id]);
    });

    it('keeps channels out of device outboxes: no head, no replay', async () => {
      const { admin, readers, conversation } = await channelWith(1);
      const reader = readers[0];
      if (!reader) throw new Error('no reader');
      await storage().messages.append(messageDraft(conversation.id, admin.id, 'news'));
      const heads = await storage().delivery.openDevice(reader.id, 'phone', nextTime());
      assert.equal(
        heads.find((h) => h.conversationId === conversation.id),
        undefined,
      );
      const adminHeads = await storage().delivery.openDevice(admin.id, 'laptop', nextTime());
      assert.equal(
        adminHeads.find((h) => h.conversationId === conversation.id),
        undefined,
      );
    });

    it('lists a channel for its members with the admins only, its size and unread count', async () => {
      const { admin, readers, conversation } = await channelWith(2);
      await storage().messages.append(messageDraft(conversation.id, admin.id, 'one'));
      const list = await storage().conversations.listForUser(readers[0]?.id ?? '');
      const entry = list.find((e) => e.conversation.id === conversation.id);
      assert.ok(entry, 'listed');
      assert.deepEqual(
        entry.conversation.members.map((m) => m.userId),
        [admin.id],
      );
      assert.equal(entry.conversation.channel?.memberCount, 3);
      assert.equal(entry.unreadCount, 1);
      assert.equal(entry.lastMessage?.content, 'one');
      const byId = await storage().conversations.byId(conversation.id);
      assert.deepEqual(byId?.channel, { public: true, memberCount: 3 });
    });

    it('adds members once, brings past ones back, skips unknown users, and holds the limit', async () => {
      const { admin, conversation } = await channelWith(0);
      const users = await createUsers(storage(), 3);
      const ids = users.map((u) => u.id);
      const added = await storage().channels.addMembers(conversation.id, [...ids, id('ghost')], nextTime(), 10);
      assert.deepEqual(added.sort(), [...ids].sort());
      assert.deepEqual(await storage().channels.addMembers(conversation.id, ids, nextTime(), 10), []);
      // At the limit, adding nobody new is no error.
      assert.deepEqual(await storage().channels.addMembers(conversation.id, [admin.id, id('x')], nextTime(), 4), []);
      const more = await createUsers(storage(), 1);
      await rejectsWith(
        storage().channels.addMembers(conversation.id, [more[0]?.id ?? ''], nextTime(), 4),
        'member_limit',
      );
      assert.equal((await storage().channels.info(conversation.id))?.memberCount, 4);
      const closedAt = await storage().channels.remove(conversation.id, ids[0] ?? '');
      assert.equal(closedAt, 1);
      const past = await storage().conversations.membership(conversation.id, ids[0] ?? '');
      assert.equal(past?.visibleToSeq, 1);
      assert.deepEqual(await storage().channels.addMembers(conversation.id, [ids[0] ?? ''], nextTime(), 4), [ids[0]]);
      assert.equal((await storage().conversations.membership(conversation.id, ids[0] ?? ''))?.visibleToSeq, null);
      await rejectsWith(storage().channels.addMembers(id('nope'), ids, nextTime(), 10), 'conversation_not_found');
    });

    it('keeps one admin: the only admin may neither leave nor step down', async () => {
      const { admin, readers, conversation } = await channelWith(1);
      const reader = readers[0]?.id ?? '';
      await rejectsWith(storage().channels.remove(conversation.id, admin.id), 'last_admin');
      await rejectsWith(storage().channels.setRole(conversation.id, admin.id, 'member'), 'last_admin');
      await storage().channels.setRole(conversation.id, reader, 'admin');
      const grant = await storage().conversations.sendGrant(conversation.id, reader);
      assert.deepEqual([grant?.type, grant?.role], ['channel', 'admin']);
      await storage().channels.remove(conversation.id, admin.id);
      await rejectsWith(storage().channels.remove(conversation.id, admin.id), 'not_member');
      await rejectsWith(storage().channels.setRole(conversation.id, id('nobody'), 'admin'), 'not_member');
      const after = await storage().conversations.byId(conversation.id);
      assert.deepEqual(
        after?.members.map((m) => m.userId),
        [reader],
      );
      assert.equal(after?.channel?.memberCount, 1);
    });

    it('counts readers per seq from the members read watermarks', async () => {
      const { admin, readers, conversation } = await channelWith(3);
      for (let i = 0; i < 4; i++) await storage().messages.append(messageDraft(conversation.id, admin.id, `m${i}`));
      const [r1, r2, r3] = readers.map((u) => u.id) as [string, string, string];
      assert.deepEqual(await storage().channels.markRead(conversation.id, r1, 3, nextTime()), {
        previousReadSeq: 0,
        readSeq: 3,
      });
      await storage().channels.markRead(conversation.id, r2, 5, nextTime());
      // Beyond the last message: clamped. Backwards: ignored.
      assert.deepEqual(await storage().channels.markRead(conversation.id, r3, 99, nextTime()), {
        previousReadSeq: 0,
        readSeq: 5,
      });
      assert.deepEqual(await storage().channels.markRead(conversation.id, r3, 2, nextTime()), {
        previousReadSeq: 5,
        readSeq: 5,
      });
      await storage().channels.markRead(conversation.id, r1, 4, nextTime());
      const counts = await storage().channels.readerCounts(conversation.id, [1, 3, 4, 5, 6]);
      assert.deepEqual(Object.fromEntries(counts), { 1: 3, 3: 3, 4: 3, 5: 2, 6: 0 });
      const member = await storage().conversations.membership(conversation.id, r1);
      assert.deepEqual([member?.readSeq, member?.deliveredSeq], [4, 4]);
      assert.equal(await storage().channels.markRead(conversation.id, id('nobody'), 1, nextTime()), null);
    });

    it("lists the user's channels to follow, and finds public ones by name", async () => {
      const prefix = `zz${id('p')
        .toLowerCase()
        .replace(/[^a-z]/g, '')}`;
      const { admin, conversation } = await channelWith(0, { name: `${prefix} Public` });
      const hidden = await channelWith(0, { name: `${prefix} Private`, public: false });
      const subscriptions = await storage().channels.subscriptionsOf(admin.id);
      assert.deepEqual(subscriptions, [{ conversationId: conversation.id, lastSeq: 1 }]);
      const found = await storage().channels.searchPublic(prefix.toUpperCase(), 10);
      assert.deepEqual(
        found.map((c) => c.id),
        [conversation.id],
      );
      assert.equal(
        (await storage().channels.subscriptionsOf(hidden.admin.id))[0]?.conversationId,
        hidden.conversation.id,
      );
      assert.deepEqual(await storage().channels.searchPublic('%', 10), [], 'LIKE wildcards are plain text');
    });
  });
}
