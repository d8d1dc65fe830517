/** The PinStore contract (pinned and archived chats, pinned messages), run against SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Storage } from '../stores.js';
import { createGroup, createUsers, id, nextTime, type OpenStorage, systemDraft, useStorage } from './harness.js';

async function directOf(storage: Storage, a: string, b: string): Promise<string> {
  return (await storage.conversations.getOrCreateDirect(id('d'), a, b, nextTime())).conversation.id;
}

export function describePinStore(name: string, open: OpenStorage): void {
  describe(`PinStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('reads the default state of a conversation never pinned or archived', async () => {
      const [alice, bob] = await createUsers(storage(), 2);
      assert.ok(alice && bob);
      const chat = await directOf(storage(), alice.id, bob.id);
      assert.deepEqual(await storage().pins.stateOf(alice.id, chat), {
        userId: alice.id,
        conversationId: chat,
        pinnedAt: null,
        pinRank: null,
        archivedAt: null,
      });
      assert.deepEqual(await storage().pins.statesOf(alice.id), []);
    });

    it('pins up to the cap, newest pin first; a repeat keeps its rank; the cap ignores chats the user left', async () => {
      const [me, ...others] = await createUsers(storage(), 5);
      assert.ok(me && others.length === 4);
      const chats: string[] = [];
      for (const other of others) chats.push(await directOf(storage(), me.id, other.id));
      const [c1, c2, c3, c4] = chats as [string, string, string, string];
      for (const chat of [c1, c2, c3]) assert.ok(await storage().pins.pinChat(me.id, chat, nextTime(), 3));
      assert.equal(await storage().pins.pinChat(me.id, c4, nextTime(), 3), null, 'the fourth pin is refused');
      assert.equal((await storage().pins.stateOf(me.id, c4)).pinnedAt, null);
      const again = await storage().pins.pinChat(me.id, c1, nextTime(), 3);
      const first = (await storage().pins.statesOf(me.id)).find((s) => s.conversationId === c1);
      assert.equal(again?.pinRank, first?.pinRank, 'pinning a pinned chat changes nothing');
      assert.deepEqual(
        (await storage().pins.statesOf(me.id)).map((s) => s.conversationId),
        [c3, c2, c1],
      );
      await storage().pins.unpinChat(me.id, c2);
      assert.ok(await storage().pins.pinChat(me.id, c4, nextTime(), 3));
      assert.deepEqual(
        (await storage().pins.statesOf(me.id)).map((s) => s.conversationId),
        [c4, c3, c1],
      );

      // A pinned group the user left no longer counts.
      const group = await createGroup(storage(), others[0]!.id, [me.id]);
      await storage().pins.unpinChat(me.id, c4);
      assert.ok(await storage().pins.pinChat(me.id, group.conversation.id, nextTime(), 3));
      await storage().conversations.removeMember(
        group.conversation.id,
        me.id,
        systemDraft(me.id, 'member_left', me.id),
      );
      assert.ok(await storage().pins.pinChat(me.id, c4, nextTime(), 3), 'the left group frees its pin');
    });

    it('archiving unpins; pinning unarchives; both are idempotent', async () => {
      const [me, other] = await createUsers(storage(), 2);
      assert.ok(me && other);
      const chat = await directOf(storage(), me.id, other.id);
      await storage().pins.pinChat(me.id, chat, nextTime(), 3);
      const archivedAt = nextTime();
      const archived = await storage().pins.archiveChat(me.id, chat, archivedAt);
      assert.equal(archived.archivedAt, archivedAt);
      assert.equal(archived.pinnedAt, null);
      assert.equal((await storage().pins.archiveChat(me.id, chat, nextTime())).archivedAt, archivedAt);
      const pinned = await storage().pins.pinChat(me.id, chat, nextTime(), 3);
      assert.equal(pinned?.archivedAt, null);
      assert.ok(pinned?.pinnedAt);
      await storage().pins.archiveChat(me.id, chat, nextTime());
      const back = await storage().pins.unarchiveChat(me.id, chat);
      assert.equal(back.archivedAt, null);
      assert.equal(back.pinnedAt, null);
      assert.deepEqual(await storage().pins.statesOf(me.id), []);
    });

    it('a new message unarchives for those who archived before it, unless they keep chats archived', async () => {
      const [a, b, c, d] = await createUsers(storage(), 4);
      assert.ok(a && b && c && d);
      const group = (await createGroup(storage(), a.id, [b.id, c.id, d.id])).conversation.id;
      await storage().pins.archiveChat(b.id, group, nextTime());
      await storage().pins.archiveChat(c.id, group, nextTime());
      assert.deepEqual(await storage().pins.updateChatSettings(c.id, { keepArchived: true }), { keepArchived: true });
      assert.deepEqual(await storage().pins.chatSettings(c.id), { keepArchived: true });
      assert.deepEqual(await storage().pins.chatSettings(d.id), { keepArchived: false });
      const messageAt = nextTime();
      await storage().pins.archiveChat(d.id, group, nextTime()); // after the message: stays
      const due = await storage().pins.archivedBy(group, messageAt);
      assert.deepEqual(due, [b.id]);
      assert.deepEqual(await storage().pins.unarchiveFor(group, [...due, d.id], messageAt), [b.id]);
      assert.equal((await storage().pins.stateOf(b.id, group)).archivedAt, null);
      assert.ok((await storage().pins.stateOf(c.id, group)).archivedAt, 'kept archived');
      assert.ok((await storage().pins.stateOf(d.id, group)).archivedAt, 'archived after the message');
      assert.deepEqual(await storage().pins.unarchiveFor(group, [], messageAt), []);
    });

    it('pins messages newest first, replaces the oldest beyond the cap, and unpins', async () => {
      const [a] = await createUsers(storage(), 1);
      assert.ok(a);
      const group = (await createGroup(storage(), a.id, [])).conversation.id;
      const pin = (messageId: string) => ({ conversationId: group, messageId, pinnedBy: a.id, pinnedAt: nextTime() });
      const [m1, m2, m3, m4] = [id('m'), id('m'), id('m'), id('m')];
      for (const m of [m1, m2, m3]) assert.equal((await storage().pins.pinMessage(pin(m), 3)).created, true);
      const repeat = await storage().pins.pinMessage(pin(m2), 3);
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.replaced, []);
      const fourth = await storage().pins.pinMessage(pin(m4), 3);
      assert.deepEqual(
        fourth.pins.map((p) => p.messageId),
        [m4, m3, m2],
      );
      assert.deepEqual(
        fourth.replaced.map((p) => p.messageId),
        [m1],
      );
      assert.deepEqual(
        (await storage().pins.pinnedMessages(group)).map((p) => p.messageId),
        [m4, m3, m2],
      );
      const unpinned = await storage().pins.unpinMessage(group, m3);
      assert.equal(unpinned.removed, true);
      assert.deepEqual(
        unpinned.pins.map((p) => p.messageId),
        [m4, m2],
      );
      assert.equal((await storage().pins.unpinMessage(group, m3)).removed, false);
      const [only] = await storage().pins.pinnedMessages(group);
      assert.equal(only?.pinnedBy, a.id);
      assert.equal(only?.conversationId, group);
    });

    it('concurrent pins stay within the caps', async () => {
      const [me, ...others] = await createUsers(storage(), 7);
      assert.ok(me);
      const chats = await Promise.all(others.map((o) => directOf(storage(), me.id, o.id)));
      const results = await Promise.all(chats.map((c) => storage().pins.pinChat(me.id, c, nextTime(), 3)));
      assert.equal(results.filter((r) => r !== null).length, 3);
      const group = (await createGroup(storage(), me.id, [])).conversation.id;
      await Promise.all(
        Array.from({ length: 6 }, () =>
          storage().pins.pinMessage(
            { conversationId: group, messageId: id('m'), pinnedBy: me.id, pinnedAt: nextTime() },
            3,
          ),
        ),
      );
      assert.equal((await storage().pins.pinnedMessages(group)).length, 3);
    });
  });
}
